-- Create index "evidence_held" to table: "evidences"
CREATE INDEX `evidence_held` ON `evidences` (`application_id`) WHERE state = 'RETURNED' OR resubmissions > 0;
