CREATE TABLE notification_email_kinds (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
