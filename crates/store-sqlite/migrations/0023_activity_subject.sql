-- The partner team an activity entry is about (a partner who joined or
-- left), apart from the team of whoever acted: a partner of another team
-- reads neither (R-MULTI-3).
ALTER TABLE workspace_activities ADD COLUMN subject_team_id TEXT;
-- Entries written before about a person of another team than the
-- workspace's own: that person's team.
UPDATE workspace_activities SET subject_team_id = (
    SELECT m.team_id FROM team_members m
    WHERE m.user_id = workspace_activities.element_id
      AND m.team_id <> (SELECT w.team_id FROM workspaces w WHERE w.id = workspace_activities.workspace_id)
    LIMIT 1
) WHERE element_type = 'user' AND action IN ('join', 'leave');
