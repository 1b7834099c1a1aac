-- Create index "evidence_held" to table: "evidences"
CREATE INDEX "evidence_held" ON "evidences" ("application_id") WHERE (((state)::text = 'RETURNED'::text) OR (resubmissions > 0));
