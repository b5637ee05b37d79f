-- Column comments of the views of views.sql and history.sql (BI tools show them as
-- field descriptions), in one place. Columns shared by several views are described
-- once: '*' for every view listed below, '*history' for the history views (where it
-- wins over '*'); a view's own entry wins over both. The block fails if a listed view
-- has a column without a comment. (The views of quant_risk.sql comment their columns
-- one by one.)

DO $comments$
DECLARE
    c       record;
    missing text;
BEGIN
    FOR c IN
        WITH described(view_name, column_name, description) AS (VALUES
            ('*', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*', 'organization', 'Code of the organization.'),
            ('*', 'organization_name', 'Name of the organization.'),
            ('*', 'core_business', 'Core business type: regulated, planning-competitive or mass-production (with size_band, the peer group).'),
            ('*', 'size_band', 'Size band: small, medium, large or enterprise (with core_business, the peer group).'),
            ('*', 'peer_group', 'The peer group: core business type / size band.'),
            ('*', 'framework', 'Code of the framework assessed.'),
            ('*', 'assessment_id', 'The organization''s latest organization-wide assessment of the framework.'),
            ('*', 'assessed_on', 'Date of that assessment.'),
            ('*', 'peer_count', 'Number of peers with a value in the latest peer release (when in_peer_release is false: all the group''s members in it); NULL when fewer than ismseval.min_peer_group.'),
            ('*', 'owner', 'Person or role responsible.'),
            ('*', 'target', 'Target value.'),
            ('*', 'unit', 'Unit of the KPI values (%, hours, count, ...).'),
            ('*', 'status', 'red, amber or green (kpi_status: green at attainment >= 1, amber within the amber tolerance, else red); NULL when never measured.'),
            ('*', 'progress_pct', 'Progress from baseline to target in %: 100 x (latest - baseline) / (target - baseline); NULL without baseline or when baseline = target; < 0 regressed, > 100 exceeded.'),
            ('*', 'latest_value', 'The latest measured value.'),
            ('*', 'likelihood', 'Likelihood level, 1 .. size of the matrix''s likelihood scale.'),
            ('*', 'impact', 'Impact level, 1 .. size of the matrix''s impact scale.'),
            ('*', 'domain', 'Code of the control domain (radar axis).'),
            ('*', 'peer_percentile', 'Percentile of the organization among its peers in the latest peer release, mid-rank: 100 x (peers below + 0.5 x peers equal) / peers, of its value at publication; NULL below the minimum peer group (for a tenant: peers it cannot see), and while the release does not include the organization (in_peer_release false).'),
            ('*', 'total_score', 'Total score: sum over domains of scored requirements in scope x domain mean (the plain sum when every requirement is answered with a score; a not-applicable one takes its domain''s mean); when a domain has no answer, mean score x number of scored requirements.'),
            ('*', 'mean_score', 'Weighted mean score (framework scale) of the answered scored requirements.'),
            ('*', 'framework_id', 'Key of the framework (frameworks.framework_id).'),
            ('*', 'coverage', 'Coverage in %: 100 x answered / applicable scored requirements in scope (not assessed and unanswered ones count as applicable, not-applicable ones do not); NULL when none is applicable.'),
            ('*', 'total_percentage', 'The total score as a percentage of the scale: 100 x (total / scored requirements - scale_min) / (scale_max - scale_min).'),
            ('*', 'peer_mean_total_percentage', 'peer_mean_total as a percentage of the scale, like total_percentage.'),
            ('*', 'applicable_questions', 'Number of scored requirements in scope not answered not applicable.'),
            ('*', 'peer_mean_total', 'Mean total score of the peers in the latest peer release (when in_peer_release is false: of all the group''s members in it); NULL below the minimum peer group.'),
            ('*', 'deviation_score', 'Deviation score (hensachi) of the total among peers: 50 + 10 x (own - peer mean) / peer population stddev (50 when that is 0); NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'peer_rank', 'Rank of the total among the organization and its peers in the latest peer release: 1 + peers with a higher total; NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'peer_figures_as_of', 'When the peer figures of the row were published (release_peer_figures); NULL when there are none: no release yet, or below the minimum peer group.'),
            ('*', 'ranked_organizations', 'Number of organizations ranked: peers + 1; NULL below the minimum peer group and while the release does not include the organization.'),
            ('*', 'in_peer_release', 'True when the peer figures are the organization''s own in the latest peer release: the peers are the others of its group, and the percentile (rank, deviation score) is of its value at publication. False when that release does not include it in its peer group (assessed after it, below the minimum coverage then, or moved to the group since): the figures are over the group''s members in the release, not including the organization, without percentile, rank or deviation score, until a release admits it. NULL when there are no peer figures.'),

            ('risk_register', 'risk_id', 'Key of the risk.'),
            ('risk_register', 'title', 'Title of the risk.'),
            ('risk_register', 'asset', 'Name of the asset at risk (NULL when none).'),
            ('risk_register', 'asset_location', 'Where the asset''s information lives: server, terminal, network, media, mobile or paper.'),
            ('risk_register', 'asset_value', 'Asset value = max(confidentiality, integrity, availability).'),
            ('risk_register', 'threat_code', 'Code of the threat (PH-nn physical, IS-nn information system for the preloaded catalogue).'),
            ('risk_register', 'threat', 'Name of the threat.'),
            ('risk_register', 'inherent_score', 'Inherent score = likelihood x impact.'),
            ('risk_register', 'inherent_level', 'Level of the (likelihood, impact) cell in the organization''s risk matrix.'),
            ('risk_register', 'inherent_level_rank', '0-based rank of the inherent level (0 = lowest).'),
            ('risk_register', 'inherent_color', 'Colour of the inherent level (#RRGGBB).'),
            ('risk_register', 'control_effectiveness', 'Effectiveness of the controls on the risk, 0 (none) to 1 (complete).'),
            ('risk_register', 'residual_score', 'Residual score = inherent score x (1 - control effectiveness).'),
            ('risk_register', 'residual_level', 'Level of the residual score: the highest level among matrix cells scoring at most the residual score, never above the inherent level.'),
            ('risk_register', 'residual_level_rank', '0-based rank of the residual level.'),
            ('risk_register', 'residual_color', 'Colour of the residual level (#RRGGBB).'),
            ('risk_register', 'tolerance_level', 'The organization''s risk tolerance: the highest accepted level.'),
            ('risk_register', 'within_tolerance', 'True when the residual level is at or below the tolerance level.'),
            ('risk_register', 'treatment', 'Treatment: mitigate, accept, transfer or avoid.'),
            ('risk_register', 'owner', 'Risk owner.'),
            ('risk_register', 'acceptance_expires', 'When the acceptance of an accepted risk expires.'),
            ('risk_register', 'acceptance_expired', 'True when the risk is accepted and its acceptance expired before today.'),
            ('risk_register', 'identified_on', 'Date the risk was identified.'),

            ('risk_heatmap', 'score', 'Score of the cell = likelihood x impact.'),
            ('risk_heatmap', 'level', 'Level of the cell in the organization''s risk matrix.'),
            ('risk_heatmap', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('risk_heatmap', 'color', 'Colour of the level (#RRGGBB).'),
            ('risk_heatmap', 'risk_count', 'Number of the organization''s risks rated in this cell (inherent rating); 0 when none.'),

            ('kpi_status', 'kpi_id', 'Key of the KPI.'),
            ('kpi_status', 'kpi', 'Code of the KPI.'),
            ('kpi_status', 'kpi_name', 'Name of the KPI.'),
            ('kpi_status', 'direction', 'higher_is_better or lower_is_better.'),
            ('kpi_status', 'owner', 'Owner of the KPI.'),
            ('kpi_status', 'frequency_days', 'Measurement frequency in days (30 monthly, 91 quarterly, 365 yearly).'),
            ('kpi_status', 'target', 'Target value of the KPI.'),
            ('kpi_status', 'baseline', 'Baseline value the progress is measured from (NULL when not set).'),
            ('kpi_status', 'latest_measured_on', 'Date of the latest measurement.'),
            ('kpi_status', 'previous_value', 'The value measured before the latest one.'),
            ('kpi_status', 'previous_measured_on', 'Date of the previous measurement.'),
            ('kpi_status', 'change', 'latest_value - previous_value.'),
            ('kpi_status', 'attainment_pct', 'Attainment in %, 0-200: 100 x actual / target (higher is better) or 100 x target / actual (lower is better); 100 = target met.'),
            ('kpi_status', 'days_since_measured', 'Days from the latest measurement to today.'),
            ('kpi_status', 'stale', 'True when never measured or not measured within frequency_days.'),

            ('objective_status', 'objective_id', 'Key of the objective.'),
            ('objective_status', 'objective', 'Title of the objective.'),
            ('objective_status', 'owner', 'Owner of the objective.'),
            ('objective_status', 'set_on', 'Date the objective was set.'),
            ('objective_status', 'due_on', 'Due date of the objective.'),
            ('objective_status', 'kpi', 'Code of the KPI that measures the objective.'),
            ('objective_status', 'target', 'Target value of the KPI.'),
            ('objective_status', 'achieved', 'True when the KPI''s latest value meets the target (attainment >= 100%).'),
            ('objective_status', 'overdue', 'True when the due date has passed and the objective is not achieved.'),
            ('objective_status', 'days_to_due', 'Days from today to the due date (negative when past).'),

            ('maturity_by_domain', 'domain_name', 'Name of the control domain.'),
            ('maturity_by_domain', 'display_order', 'Display order of the domain in its framework.'),
            ('maturity_by_domain', 'own_score', 'Mean score of the organization''s answered large questions of the domain; NULL when none answered.'),
            ('maturity_by_domain', 'answered_questions', 'Number of scored requirements of the domain in scope answered with a score or a result.'),
            ('maturity_by_domain', 'peer_score', 'Mean over the peers of their domain means (latest assessment of the same framework, as published in the latest peer release; when in_peer_release is false, over all the group''s members in it); NULL below the minimum peer group.'),
            ('maturity_by_domain', 'gap_to_peers', 'own_score - peer_score (negative: below peers).'),
            ('maturity_by_domain', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('maturity_by_domain', 'gap_to_target', 'own_score - target (negative: below target).'),
            ('maturity_by_domain', 'domain_id', 'Key of the control domain (control_domains.domain_id).'),
            ('maturity_by_domain', 'own_percentage', 'The domain''s weighted mean percentage of the scale over the answered scored requirements (100 x (score - min) / (max - min), or the framework''s percentage for a result).'),
            ('maturity_by_domain', 'peer_percentage', 'peer_score as a percentage of the framework''s scale.'),
            ('maturity_by_domain', 'target_percentage', 'target as a percentage of the framework''s scale.'),
            ('maturity_by_domain', 'scale_min', 'Bottom of the framework''s scale.'),
            ('maturity_by_domain', 'scale_max', 'Top of the framework''s scale.'),

            ('question_peer_rate', 'large_question', 'Code of the large question the small question belongs to.'),
            ('question_peer_rate', 'question_id', 'Key of the small question.'),
            ('question_peer_rate', 'question', 'Code of the small question.'),
            ('question_peer_rate', 'question_text', 'Text of the small question.'),
            ('question_peer_rate', 'own_result', 'The organization''s result: compliant (yes), non_compliant (no), not_assessed or not_applicable; NULL when unanswered.'),
            ('question_peer_rate', 'own_answer_yes', 'The organization''s answer: true yes, false no, NULL not answered or not applicable.'),
            ('question_peer_rate', 'own_not_applicable', 'True when the organization answered not applicable.'),
            ('question_peer_rate', 'peer_rate_pct', 'Peer implementation rate: 100 x peers answering yes / peers answering yes or no (when in_peer_release is false: over all the group''s members that answered); NULL below the minimum peer group.'),

            ('incident_metrics_monthly', 'month', 'First day of the calendar month (UTC); every month from the organization''s first incident to the current month.'),
            ('incident_metrics_monthly', 'incidents', 'Number of incidents that occurred in the month; 0 in a month without incidents.'),
            ('incident_metrics_monthly', 'severe_incidents', 'Incidents of severity 3 or 4.'),
            ('incident_metrics_monthly', 'max_leakage_risk', 'Highest leakage-risk level (1-4) among them.'),
            ('incident_metrics_monthly', 'mttd_hours', 'Mean time to detect in hours: mean of detected_at - occurred_at over detected incidents.'),
            ('incident_metrics_monthly', 'mttd_hours_p90', '90th percentile (interpolated) of the time to detect, hours.'),
            ('incident_metrics_monthly', 'mttr_hours', 'Mean time to resolve in hours: mean of resolved_at - occurred_at over resolved incidents.'),
            ('incident_metrics_monthly', 'mttr_hours_p90', '90th percentile (interpolated) of the time to resolve, hours.'),
            ('incident_metrics_monthly', 'reported_within_24h_pct', '100 x incidents reported within 24 hours of detection / detected incidents; NULL when none detected.'),

            ('org_benchmark', 'answered_questions', 'Number of scored requirements in scope answered with a score or a result.'),
            ('org_benchmark', 'mean_percentage', 'Weighted mean percentage of the scale of the answered scored requirements.'),
            ('org_benchmark', 'scored_questions', 'Number of scored requirements in scope (the assessment''s implementation groups, else all).'),

            ('management_review', 'framework', 'Framework of the organization''s most recent assessment.'),
            ('management_review', 'assessed_on', 'Date of the most recent organization-wide assessment.'),
            ('management_review', 'peer_count', 'Number of peers in the benchmark (when in_peer_release is false: all the group''s members in the latest peer release); NULL below the minimum peer group.'),
            ('management_review', 'weakest_domain', 'Domain with the lowest own score (first in display order on ties).'),
            ('management_review', 'domains_below_target', 'Domains whose own score is below target.'),
            ('management_review', 'domains_below_peers', 'Domains whose own score is below the peers'' mean.'),
            ('management_review', 'risks', 'Risks in the register.'),
            ('management_review', 'risks_outside_tolerance', 'Risks whose residual level is above the tolerance level.'),
            ('management_review', 'risks_top_level', 'Risks whose inherent level is the top level of the matrix.'),
            ('management_review', 'acceptances_expired', 'Accepted risks whose acceptance has expired.'),
            ('management_review', 'kpis', 'KPIs defined.'),
            ('management_review', 'kpis_green', 'KPIs with status green.'),
            ('management_review', 'kpis_amber', 'KPIs with status amber.'),
            ('management_review', 'kpis_red', 'KPIs with status red.'),
            ('management_review', 'kpis_stale', 'KPIs never measured or not measured within their frequency.'),
            ('management_review', 'objectives', 'Objectives defined.'),
            ('management_review', 'objectives_achieved', 'Objectives whose KPI meets its target.'),
            ('management_review', 'objectives_overdue', 'Objectives past their due date and not achieved.'),
            ('management_review', 'incidents_12m', 'Incidents that occurred in the last 12 months.'),
            ('management_review', 'severe_incidents_12m', 'Of them, incidents of severity 3 or 4.'),
            ('management_review', 'mttd_hours_12m', 'Mean time to detect over the last 12 months, hours.'),
            ('management_review', 'mttr_hours_12m', 'Mean time to resolve over the last 12 months, hours.'),
            ('management_review', 'reported_within_24h_pct_12m', '100 x incidents of the last 12 months reported within 24 hours of detection / detected ones; NULL when none.'),
            ('management_review', 'nonconformities_open', 'Nonconformities not closed.'),
            ('management_review', 'corrective_actions_overdue', 'Corrective actions not closed and past their due date.'),

            ('*history', 'organization_id', 'Key of the organization (organizations.organization_id).'),
            ('*history', 'organization', 'Code of the organization.'),
            ('*history', 'framework_id', 'Key of the framework.'),
            ('*history', 'framework', 'Code of the framework assessed.'),
            ('*history', 'assessment_id', 'Key of the assessment.'),
            ('*history', 'assessed_on', 'Date of the assessment.'),
            ('*history', 'domain_id', 'Key of the control domain.'),
            ('*history', 'domain', 'Code of the control domain.'),
            ('*history', 'domain_name', 'Name of the control domain.'),
            ('*history', 'display_order', 'Display order of the domain in its framework.'),
            ('*history', 'score', 'Mean score of the scored large questions of the domain in the assessment (framework scale); NULL when none is scored.'),
            ('*history', 'percentage', 'The score as a percentage of the framework scale: 100 x (score - scale_min) / (scale_max - scale_min).'),
            ('*history', 'coverage', 'Coverage in %: 100 x scored large questions / applicable large questions of the domain (not answered not_applicable; unanswered ones count as applicable); NULL when none is applicable.'),
            ('*history', 'target', 'Target value.'),
            ('*history', 'unit', 'Unit of the KPI values.'),
            ('*history', 'direction', 'higher_is_better or lower_is_better.'),
            ('*history', 'level', 'Name of a level of the organization''s current risk matrix.'),
            ('*history', 'level_rank', '0-based rank of the level (0 = lowest).'),
            ('*history', 'color', 'Colour of the level (#RRGGBB).'),

            ('maturity_history', 'answered_questions', 'Large questions of the domain answered with a score.'),
            ('maturity_history', 'applicable_questions', 'Large questions of the domain not answered not_applicable.'),
            ('maturity_history', 'previous_assessed_on', 'Date of the previous organization-wide assessment of the framework (the latest before this one); NULL when none.'),
            ('maturity_history', 'previous_score', 'The domain''s score in the previous assessment.'),
            ('maturity_history', 'change_vs_previous', 'score - previous_score, in scale points.'),
            ('maturity_history', 'year_ago_assessed_on', 'Date of the assessment about a year earlier: the latest organization-wide assessment of the framework 320 to 410 days (365 -/+ 45) before this one; NULL when none.'),
            ('maturity_history', 'year_ago_score', 'The domain''s score in the assessment about a year earlier.'),
            ('maturity_history', 'change_vs_year_ago', 'score - year_ago_score, in scale points.'),

            ('kpi_series', 'kpi_id', 'Key of the KPI.'),
            ('kpi_series', 'kpi', 'Code of the KPI.'),
            ('kpi_series', 'target', 'Target value of the KPI.'),
            ('kpi_series', 'measured_on', 'Date of the measurement.'),
            ('kpi_series', 'value', 'The measured value.'),
            ('kpi_series', 'attainment_pct', 'Attainment in %, 0-200: 100 x value / target (higher is better) or 100 x target / value (lower is better).'),
            ('kpi_series', 'status', 'red, amber or green (kpi_status) of this value.'),
            ('kpi_series', 'trend_points', 'Measurements the trend is fitted on: the last 6 up to and including this one (fewer at the start of the series).'),
            ('kpi_series', 'trend_per_day', 'Least-squares slope of value on date over those measurements, in units per day: sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), x in days; NULL with fewer than 3.'),
            ('kpi_series', 'trend_per_period', 'trend_per_day x frequency_days: the change per measurement period.'),
            ('kpi_series', 'trend_value', 'The trend line (least-squares intercept + slope x date) at this measurement''s date; NULL with fewer than 3 measurements.'),
            ('kpi_series', 'objective_id', 'The KPI''s objective the forecast is for: the earliest due on or after the measurement, else the latest due; NULL when the KPI has none.'),
            ('kpi_series', 'due_on', 'Due date of that objective.'),
            ('kpi_series', 'forecast_at_due', 'The trend line (least-squares intercept + slope x date) at due_on, not below 0 and, for a KPI in %, not above 100; NULL without a trend, without an objective or when due_on has passed at this measurement.'),
            ('kpi_series', 'on_track', 'True when forecast_at_due meets the target (>= for higher is better, <= for lower is better); NULL without a forecast.'),

            ('risk_history', 'month', 'First day of the calendar month.'),
            ('risk_history', 'month_end', 'Last day of the month: the states counted are those at its end.'),
            ('risk_history', 'inherent_risks', 'Open risks at the month''s end whose inherent level (as rated then) has this rank.'),
            ('risk_history', 'residual_risks', 'Open risks at the month''s end whose residual level (as rated then) has this rank.'),
            ('risk_history', 'open_risks', 'Open risks at the month''s end (per month: repeated on every level row).'),
            ('risk_history', 'outside_tolerance', 'Of them, risks whose residual level was above the tolerance when rated (per month).'),
            ('risk_history', 'opened', 'Risks opened (identified) in the month (per month).'),
            ('risk_history', 'closed', 'Risks closed (deleted) in the month (per month).'),

            ('department_maturity', 'department_id', 'Key of the department.'),
            ('department_maturity', 'department', 'Name of the department.'),
            ('department_maturity', 'assessment_id', 'The department''s latest assessment of the framework.'),
            ('department_maturity', 'target', 'Target maturity of the domain: maturity_targets, else the framework''s default_target.'),
            ('department_maturity', 'gap_to_target', 'score - target (negative: below target).'),
            ('department_maturity', 'company_mean', 'Company-wide mean: mean over the organization''s departments of the domain score of their latest assessment of the framework (each department once).'),
            ('department_maturity', 'gap_to_company', 'score - company_mean (negative: below the company).'),
            ('department_maturity', 'company_departments', 'Departments with a score in the company-wide mean.')
        ), listed(view_name, history) AS (VALUES
            ('risk_register', false), ('risk_heatmap', false), ('kpi_status', false),
            ('objective_status', false), ('maturity_by_domain', false), ('question_peer_rate', false),
            ('incident_metrics_monthly', false), ('org_benchmark', false), ('management_review', false),
            ('maturity_history', true), ('kpi_series', true), ('risk_history', true), ('department_maturity', true)
        )
        SELECT cl.relname AS view_name, a.attname AS column_name,
               COALESCE(s.description, h.description, g.description) AS description
        FROM listed l
        JOIN pg_catalog.pg_class cl
          ON cl.relname = l.view_name AND cl.relnamespace = '@extschema@'::regnamespace AND cl.relkind = 'v'
        JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN described s ON s.view_name = cl.relname AND s.column_name = a.attname
        LEFT JOIN described h ON l.history AND h.view_name = '*history' AND h.column_name = a.attname
        LEFT JOIN described g ON g.view_name = '*' AND g.column_name = a.attname
        ORDER BY 1, a.attnum
    LOOP
        IF c.description IS NULL THEN
            missing := COALESCE(missing || ', ', '') || c.view_name || '.' || c.column_name;
        ELSE
            EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.%I IS %L',
                                      c.view_name, c.column_name, c.description);
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'view columns without a comment: %', missing;
    END IF;
END
$comments$;
