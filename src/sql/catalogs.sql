-- Preloaded catalogues: NIST CSF 2.0 and the threat catalogue of the working
-- group (after ISO/IEC 27005 Annex C). Rows have fixed ids <= 100000 and
-- preloaded = true: pg_dump skips them (CREATE EXTENSION recreates them) and
-- a trigger keeps them read-only.
--
-- NIST CSF 2.0 (public domain) is loaded as: the 6 functions as control domains
-- (the axes of the maturity radar: a hexagon that reads at a glance), the 22
-- categories as large questions scored 1-4, each asking how far the outcomes of
-- the category are achieved. Small yes/no questions are left to the user (for
-- example one per subcategory, under its category).

INSERT INTO @extschema@.frameworks (framework_id, code, name, version, scale_min, scale_max, default_target, preloaded)
VALUES (1, 'NIST-CSF-2.0', 'NIST Cybersecurity Framework', '2.0', 1, 4, 3, true);

INSERT INTO @extschema@.control_domains (domain_id, framework_id, code, name, description, display_order, preloaded)
VALUES
    (1, 1, 'GV', 'Govern', 'The cybersecurity risk management strategy, expectations and policy are established, communicated and monitored.', 1, true),
    (2, 1, 'ID', 'Identify', 'The current cybersecurity risks to the organization are understood.', 2, true),
    (3, 1, 'PR', 'Protect', 'Safeguards to manage the organization''s cybersecurity risks are used.', 3, true),
    (4, 1, 'DE', 'Detect', 'Possible cybersecurity attacks and compromises are found and analysed.', 4, true),
    (5, 1, 'RS', 'Respond', 'Actions regarding a detected cybersecurity incident are taken.', 5, true),
    (6, 1, 'RC', 'Recover', 'Assets and operations affected by a cybersecurity incident are restored.', 6, true);

INSERT INTO @extschema@.questions (question_id, framework_id, domain_id, code, text, display_order, preloaded)
VALUES
    (1, 1, 1, 'GV.OC', 'Organizational Context: how far are the outcomes of GV.OC achieved?', 1, true),
    (2, 1, 1, 'GV.RM', 'Risk Management Strategy: how far are the outcomes of GV.RM achieved?', 2, true),
    (3, 1, 1, 'GV.RR', 'Roles, Responsibilities, and Authorities: how far are the outcomes of GV.RR achieved?', 3, true),
    (4, 1, 1, 'GV.PO', 'Policy: how far are the outcomes of GV.PO achieved?', 4, true),
    (5, 1, 1, 'GV.OV', 'Oversight: how far are the outcomes of GV.OV achieved?', 5, true),
    (6, 1, 1, 'GV.SC', 'Cybersecurity Supply Chain Risk Management: how far are the outcomes of GV.SC achieved?', 6, true),
    (7, 1, 2, 'ID.AM', 'Asset Management: how far are the outcomes of ID.AM achieved?', 7, true),
    (8, 1, 2, 'ID.RA', 'Risk Assessment: how far are the outcomes of ID.RA achieved?', 8, true),
    (9, 1, 2, 'ID.IM', 'Improvement: how far are the outcomes of ID.IM achieved?', 9, true),
    (10, 1, 3, 'PR.AA', 'Identity Management, Authentication, and Access Control: how far are the outcomes of PR.AA achieved?', 10, true),
    (11, 1, 3, 'PR.AT', 'Awareness and Training: how far are the outcomes of PR.AT achieved?', 11, true),
    (12, 1, 3, 'PR.DS', 'Data Security: how far are the outcomes of PR.DS achieved?', 12, true),
    (13, 1, 3, 'PR.PS', 'Platform Security: how far are the outcomes of PR.PS achieved?', 13, true),
    (14, 1, 3, 'PR.IR', 'Technology Infrastructure Resilience: how far are the outcomes of PR.IR achieved?', 14, true),
    (15, 1, 4, 'DE.CM', 'Continuous Monitoring: how far are the outcomes of DE.CM achieved?', 15, true),
    (16, 1, 4, 'DE.AE', 'Adverse Event Analysis: how far are the outcomes of DE.AE achieved?', 16, true),
    (17, 1, 5, 'RS.MA', 'Incident Management: how far are the outcomes of RS.MA achieved?', 17, true),
    (18, 1, 5, 'RS.AN', 'Incident Analysis: how far are the outcomes of RS.AN achieved?', 18, true),
    (19, 1, 5, 'RS.CO', 'Incident Response Reporting and Communication: how far are the outcomes of RS.CO achieved?', 19, true),
    (20, 1, 5, 'RS.MI', 'Incident Mitigation: how far are the outcomes of RS.MI achieved?', 20, true),
    (21, 1, 6, 'RC.RP', 'Incident Recovery Plan Execution: how far are the outcomes of RC.RP achieved?', 21, true),
    (22, 1, 6, 'RC.CO', 'Incident Recovery Communication: how far are the outcomes of RC.CO achieved?', 22, true);

INSERT INTO @extschema@.threats (threat_id, code, category, name, preloaded)
VALUES
    (1, 'PH-01', 'physical', 'Natural disasters (earthquake, flood, fire, lightning)', true),
    (2, 'PH-02', 'physical', 'Facility accidents (power failure, air-conditioning failure, water leak)', true),
    (3, 'PH-03', 'physical', 'Unauthorised entry and theft', true),
    (4, 'PH-04', 'physical', 'Shoulder surfing (peeking at screens and papers)', true),
    (5, 'PH-05', 'physical', 'Theft of devices or media', true),
    (6, 'PH-06', 'physical', 'Taking out, transport and carry-out of devices or media (loss, leakage)', true),
    (7, 'PH-07', 'physical', 'Disposal of devices or media (leakage from discarded equipment)', true),
    (8, 'IS-01', 'information-system', 'Overload of systems or networks', true),
    (9, 'IS-02', 'information-system', 'Hardware failure', true),
    (10, 'IS-03', 'information-system', 'Software failure', true),
    (11, 'IS-04', 'information-system', 'Network failure', true),
    (12, 'IS-05', 'information-system', 'Malware infection', true),
    (13, 'IS-06', 'information-system', 'Denial of service (DDoS)', true),
    (14, 'IS-07', 'information-system', 'Tampering by unauthorised access', true),
    (15, 'IS-08', 'information-system', 'Destruction by unauthorised access', true),
    (16, 'IS-09', 'information-system', 'Leakage by unauthorised access', true),
    (17, 'IS-10', 'information-system', 'Identity spoofing', true),
    (18, 'IS-11', 'information-system', 'Wiretapping (eavesdropping on communication)', true),
    (19, 'IS-12', 'information-system', 'Path hijacking and phishing', true),
    (20, 'IS-13', 'information-system', 'Misuse by insiders', true),
    (21, 'IS-14', 'information-system', 'Use of unlicensed software', true),
    (22, 'IS-15', 'information-system', 'Leakage by e-mail (mis-sending, forwarding)', true),
    (23, 'IS-16', 'information-system', 'Mistakes in use', true),
    (24, 'IS-17', 'information-system', 'Mistakes in operation', true),
    (25, 'IS-18', 'information-system', 'Mistakes in change (configuration and program changes)', true);

CREATE TRIGGER frameworks_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.frameworks
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER control_domains_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.control_domains
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER questions_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.questions
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
CREATE TRIGGER threats_preloaded_read_only BEFORE UPDATE OR DELETE ON @extschema@.threats
    FOR EACH ROW WHEN (OLD.preloaded) EXECUTE FUNCTION @extschema@.reject_preloaded_change();
