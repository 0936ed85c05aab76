-- Roles on single elements (collections), widening a workspace role.
CREATE TABLE element_roles (
    element_type TEXT NOT NULL,
    element_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (element_type, element_id, user_id)
);
