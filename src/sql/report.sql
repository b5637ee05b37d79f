-- The management review report as a function (issue 13): one self-contained HTML
-- document (inline SVG charts, print CSS for A4) over the views and charts of
-- views.sql, history.sql and charts.sql, in English or Japanese. It runs as the
-- caller, so row-level security decides what it shows, and its peer figures come
-- from the published release only.

-- Text escaped for HTML (& < > " '); NULL gives an en dash.
CREATE FUNCTION @extschema@.html_text(value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'), '&#8211;');
COMMENT ON FUNCTION @extschema@.html_text(text) IS
'The text escaped for HTML (& < > " and single quote); NULL gives an en dash.';

-- A number rounded to digits decimals for a report, a sign when signed; NULL gives an en dash.
CREATE FUNCTION @extschema@.report_number(value double precision, digits integer DEFAULT 1,
                                          signed boolean DEFAULT false)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(CASE WHEN signed AND pg_catalog.round(value::numeric, digits) > 0 THEN '+' ELSE '' END
                || pg_catalog.round(value::numeric, digits)::text, '&#8211;');
COMMENT ON FUNCTION @extschema@.report_number(double precision, integer, boolean) IS
'A number rounded to digits decimals (with + when signed and positive) for a report; NULL gives an en dash.';

CREATE FUNCTION @extschema@.management_review_html(organization_id bigint, framework_id bigint DEFAULT NULL,
                                                   lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
#variable_conflict use_column
DECLARE
    t           jsonb;
    org         record;
    mr          record;
    fw          record;
    la          record;
    framework_rows text;
    on_track    bigint;
    tracked     bigint;
    today       date := CURRENT_DATE;
    html        text;
    sect        text;
BEGIN
    t := (SELECT pg_catalog.jsonb_object_agg(k, @extschema@.report_label(k, lang))
          FROM pg_catalog.unnest(ARRAY['review_title', 'peer_group', 'framework', 'assessed_on', 'report_of', 'period',
                                       'headline', 'maturity_total', 'change_prev', 'pp', 'risks_outside', 'of_n',
                                       'kpis_rag', 'objectives_on_track', 'incidents_12m', 'severe_n', 'nc_open', 'severe_col',
                                       'actions_overdue_n', 'coverage', 'changes', 'domain', 'score', 'vs_prev', 'vs_year',
                                       'radar_heading', 'heatmap_heading', 'kpi_heading', 'objectives_heading',
                                       'objective', 'due', 'latest', 'forecast_at_due', 'on_track', 'status', 'yes',
                                       'no', 'achieved', 'overdue', 'incidents_heading', 'month', 'incidents', 'mttd',
                                       'mttr', 'reported24', 'nc_heading', 'raised', 'description', 'owner',
                                       'peer_heading', 'explain_deviation', 'explain_coverage', 'explain_forecast',
                                       'note_peers', 'generated', 'none', 'target', 'green', 'amber', 'red',
                                       'dept_heading', 'department', 'company_mean', 'explain_departments',
                                       'assessed', 'explain_frameworks']) k);
    SELECT o.name, o.code INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = management_review_html.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', management_review_html.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the framework asked for, else the one of the latest organization-wide assessment
    SELECT l.assessment_id, l.framework_id, l.assessed_on INTO la
    FROM @extschema@.latest_assessments(management_review_html.organization_id) l
    WHERE management_review_html.framework_id IS NULL OR l.framework_id = management_review_html.framework_id
    ORDER BY l.assessed_on DESC, l.assessment_id DESC LIMIT 1;
    IF la.assessment_id IS NULL THEN
        RAISE EXCEPTION 'organization % has no organization-wide assessment%', management_review_html.organization_id,
            CASE WHEN management_review_html.framework_id IS NULL THEN ''
                 ELSE ' of framework ' || management_review_html.framework_id END
            USING ERRCODE = 'no_data_found';
    END IF;
    SELECT f.framework_id, f.code, f.name, f.scale_min, f.scale_max INTO fw
    FROM @extschema@.frameworks f WHERE f.framework_id = la.framework_id;
    -- the organization-wide figures (the same on each of its management_review rows)
    SELECT * INTO mr FROM @extschema@.management_review m
    WHERE m.organization_id = management_review_html.organization_id AND m.framework_id = fw.framework_id;
    -- one headline row per framework assessed: the latest organization-wide assessment's total as
    -- a percentage of the scale (assessment_total_score), its change since the previous assessment
    -- (maturity_history's: the latest before it) and its coverage; the report's framework marked
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr%s><td>%s %s</td><td class="d">%s</td><td class="n">%s %%</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
               CASE WHEN m.framework_id = fw.framework_id THEN ' class="this"' ELSE '' END,
               @extschema@.html_text(m.framework), @extschema@.html_text(f.name), m.assessed_on,
               @extschema@.report_number(m.total_percentage),
               CASE WHEN m.total_percentage < pv.total_percentage THEN ' neg'
                    WHEN m.total_percentage > pv.total_percentage THEN ' pos' ELSE '' END,
               @extschema@.report_number(m.total_percentage - pv.total_percentage, 1, true),
               @extschema@.report_number(m.coverage, 0)),
               E'\n' ORDER BY m.framework, m.framework_id)
      INTO framework_rows
    FROM @extschema@.management_review m
    JOIN @extschema@.frameworks f ON f.framework_id = m.framework_id
    LEFT JOIN LATERAL (
        SELECT t.total_percentage
        FROM @extschema@.assessments p
        CROSS JOIN LATERAL @extschema@.assessment_total_score(p.assessment_id) t
        WHERE p.organization_id = m.organization_id AND p.framework_id = m.framework_id AND p.department_id IS NULL
          AND p.assessed_on = (SELECT pg_catalog.max(h.previous_assessed_on) FROM @extschema@.maturity_history h
                               WHERE h.organization_id = m.organization_id AND h.framework_id = m.framework_id
                                 AND h.assessed_on = m.assessed_on)
    ) pv ON true
    WHERE m.organization_id = management_review_html.organization_id;
    SELECT pg_catalog.count(*) FILTER (WHERE s.on_track), pg_catalog.count(s.on_track) INTO on_track, tracked
    FROM @extschema@.kpis k
    CROSS JOIN LATERAL (SELECT x.on_track FROM @extschema@.kpi_series x WHERE x.kpi_id = k.kpi_id
                        ORDER BY x.measured_on DESC LIMIT 1) s
    WHERE k.organization_id = management_review_html.organization_id;

    -- departments (case A): one row per department, one column per domain; NULL when none
    SELECT '<section><h2>' || @extschema@.html_text(t->>'dept_heading') || ' (' || @extschema@.html_text(fw.code)
               || ')</h2><table><tr><th>'
               || @extschema@.html_text(t->>'department') || '</th>'
               || (SELECT pg_catalog.string_agg('<th class="n">' || @extschema@.html_text(d.code) || '</th>', '' ORDER BY d.display_order)
                   FROM @extschema@.control_domains d WHERE d.framework_id = fw.framework_id) || '</tr>'
               || pg_catalog.string_agg(r.line, E'\n' ORDER BY r.department, r.department_id)
               || (SELECT '<tr><th>' || @extschema@.html_text(t->>'company_mean') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.mean, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr><tr><th>' || @extschema@.html_text(t->>'target') || '</th>'
                          || pg_catalog.string_agg('<th class="n">' || @extschema@.report_number(c.target, 2) || '</th>', '' ORDER BY c.display_order)
                          || '</tr>'
                   FROM (SELECT m.display_order, pg_catalog.max(m.company_mean) AS mean, pg_catalog.max(m.target) AS target
                         FROM @extschema@.department_maturity m
                         WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
                         GROUP BY m.display_order) c)
               || '</table><p class="note">' || @extschema@.html_text(t->>'explain_departments') || '</p></section>'
      INTO sect
    FROM (SELECT m.department_id, m.department,
                 '<tr><td>' || @extschema@.html_text(m.department) || '</td>'
                 || pg_catalog.string_agg(pg_catalog.format('<td class="n%s">%s</td>',
                        CASE WHEN m.gap_to_company < 0 THEN ' neg' WHEN m.gap_to_company > 0 THEN ' pos' ELSE '' END,
                        @extschema@.report_number(m.score, 2)), '' ORDER BY m.display_order) || '</tr>' AS line
          FROM @extschema@.department_maturity m
          WHERE m.organization_id = management_review_html.organization_id AND m.framework = fw.code
          GROUP BY m.department_id, m.department) r;

    html := pg_catalog.concat_ws(E'\n',
        '<!DOCTYPE html>',
        pg_catalog.format('<html lang="%s"><head><meta charset="utf-8"/>', lang),
        pg_catalog.format('<title>%s: %s</title>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        '<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, Arial, sans-serif;
       color: #212121; margin: 20px auto; max-width: 1000px; font-size: 12.5px; line-height: 1.4; }
h1 { font-size: 21px; margin: 0 0 4px; }
h2 { font-size: 15px; border-bottom: 2px solid #37474F; padding-bottom: 2px; margin: 18px 0 6px; }
.sub { color: #616161; margin-bottom: 10px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #CFD8DC; border-radius: 6px; padding: 6px 10px; }
.card .v { font-size: 19px; font-weight: bold; } .card .k { color: #616161; font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ECEFF1; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ECEFF1; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.d { white-space: nowrap; }
.badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 11px; white-space: nowrap; }
tr.this td { font-weight: 600; }
.neg { color: #C62828; } .pos { color: #2E7D32; } .note { color: #616161; font-size: 11px; }
.chart { text-align: center; } .chart svg { max-width: 100%; height: auto; }
.chart.wide svg { width: 680px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.chart, .cards, tr { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; }
               .chart.wide svg { width: 128mm; } .chart.map svg { width: 160mm; } }
</style></head><body>',
        pg_catalog.format('<h1>%s: %s</h1>', @extschema@.html_text(org.name), @extschema@.html_text(t->>'review_title')),
        pg_catalog.format('<div class="sub">%s %s &#183; %s %s (%s) %s %s &#183; %s %s &#8211; %s &#183; %s %s</div>',
            @extschema@.html_text(t->>'peer_group'), @extschema@.html_text(mr.peer_group),
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(fw.code), @extschema@.html_text(fw.name),
            @extschema@.html_text(t->>'assessed_on'), la.assessed_on,
            @extschema@.html_text(t->>'period'), today - 365, today,
            @extschema@.html_text(t->>'report_of'), today),

        -- headline figures: a row per framework, then the organization's figures
        '<section><h2>' || @extschema@.html_text(t->>'headline') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s (%s)</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'framework'), @extschema@.html_text(t->>'assessed'),
            @extschema@.html_text(t->>'maturity_total'), @extschema@.html_text(t->>'change_prev'),
            @extschema@.html_text(t->>'pp'), @extschema@.html_text(t->>'coverage')),
        framework_rows,
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_frameworks') || '</p><div class="cards">',
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.risks_outside_tolerance, @extschema@.html_text(t->>'risks_outside'),
            @extschema@.html_text(pg_catalog.format(t->>'of_n', mr.risks))),
        pg_catalog.format('<div class="card"><div class="v"><span class="badge" style="background:#2E7D32">%s</span> '
                          '<span class="badge" style="background:#F9A825;color:#212121">%s</span> '
                          '<span class="badge" style="background:#C62828">%s</span></div><div class="k">%s</div></div>',
            mr.kpis_green, mr.kpis_amber, mr.kpis_red, @extschema@.html_text(t->>'kpis_rag')),
        pg_catalog.format('<div class="card"><div class="v">%s / %s</div><div class="k">%s</div></div>',
            on_track, tracked, @extschema@.html_text(t->>'objectives_on_track')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.incidents_12m, @extschema@.html_text(t->>'incidents_12m'),
            @extschema@.html_text(pg_catalog.format(t->>'severe_n', mr.severe_incidents_12m))),
        pg_catalog.format('<div class="card"><div class="v">%s h / %s h</div><div class="k">%s / %s</div></div>',
            @extschema@.report_number(mr.mttd_hours_12m), @extschema@.report_number(mr.mttr_hours_12m),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr')),
        pg_catalog.format('<div class="card"><div class="v">%s</div><div class="k">%s (%s)</div></div>',
            mr.nonconformities_open, @extschema@.html_text(t->>'nc_open'),
            @extschema@.html_text(pg_catalog.format(t->>'actions_overdue_n', mr.corrective_actions_overdue))),
        '</div></section>',

        -- maturity: changes and radar
        '<section><h2>' || @extschema@.html_text(t->>'changes') || ' (' || @extschema@.html_text(fw.code) || ')</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%%</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'domain'), @extschema@.html_text(t->>'score'), @extschema@.html_text(t->>'vs_prev'),
            @extschema@.html_text(t->>'vs_year'), @extschema@.html_text(t->>'coverage')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s %s</td><td class="n">%s</td><td class="n">%s</td><td class="n%s">%s</td><td class="n%s">%s</td><td class="n">%s %%</td></tr>',
                    @extschema@.html_text(h.domain), @extschema@.html_text(h.domain_name), @extschema@.report_number(h.score, 2),
                    @extschema@.report_number(h.percentage, 0),
                    CASE WHEN h.change_vs_previous < 0 THEN ' neg' WHEN h.change_vs_previous > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_previous, 2, true),
                    CASE WHEN h.change_vs_year_ago < 0 THEN ' neg' WHEN h.change_vs_year_ago > 0 THEN ' pos' ELSE '' END,
                    @extschema@.report_number(h.change_vs_year_ago, 2, true), @extschema@.report_number(h.coverage, 0)),
                E'\n' ORDER BY h.display_order)
         FROM @extschema@.maturity_history h WHERE h.assessment_id = la.assessment_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_coverage') || '</p></section>',
        '<section><h2>' || @extschema@.html_text(t->>'radar_heading') || '</h2><div class="chart wide">',
        @extschema@.org_radar_svg(management_review_html.organization_id, fw.code, lang),
        '</div></section>',

        -- risks
        '<section><h2>' || @extschema@.html_text(t->>'heatmap_heading') || '</h2><div class="chart map">',
        @extschema@.risk_heatmap_svg(management_review_html.organization_id, lang),
        '</div></section>',

        -- KPIs and objectives
        '<section><h2>' || @extschema@.html_text(t->>'kpi_heading') || '</h2><div class="grid2">',
        (SELECT pg_catalog.string_agg('<div class="chart">' || @extschema@.kpi_trend_svg(k.kpi_id, lang) || '</div>',
                                      E'\n' ORDER BY k.code)
         FROM @extschema@.kpis k
         WHERE k.organization_id = management_review_html.organization_id
           AND EXISTS (SELECT FROM @extschema@.kpi_measurements m WHERE m.kpi_id = k.kpi_id)),
        '</div></section>',
        '<section><h2>' || @extschema@.html_text(t->>'objectives_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'objective'), 'KPI', @extschema@.html_text(t->>'due'), @extschema@.html_text(t->>'latest'),
            @extschema@.html_text(t->>'target'), @extschema@.html_text(t->>'forecast_at_due'),
            @extschema@.html_text(t->>'on_track'), @extschema@.html_text(t->>'status')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="d">%s</td><td class="d">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                    @extschema@.html_text(os.objective), @extschema@.html_text(os.kpi), os.due_on,
                    @extschema@.report_number(os.latest_value), @extschema@.report_number(os.target),
                    @extschema@.report_number(CASE WHEN s.objective_id = os.objective_id THEN s.forecast_at_due END),
                    CASE WHEN s.objective_id = os.objective_id AND s.on_track IS NOT NULL
                         THEN @extschema@.html_text(CASE WHEN s.on_track THEN t->>'yes' ELSE t->>'no' END)
                         ELSE '&#8211;' END,
                    CASE WHEN os.achieved THEN '<span class="badge" style="background:#2E7D32">' || @extschema@.html_text(t->>'achieved') || '</span>'
                         WHEN os.overdue THEN '<span class="badge" style="background:#C62828">' || @extschema@.html_text(t->>'overdue') || '</span>'
                         ELSE pg_catalog.format('<span class="badge" style="background:%s">%s</span>',
                                  CASE os.status WHEN 'green' THEN '#2E7D32' WHEN 'amber' THEN '#B28704' WHEN 'red' THEN '#C62828' ELSE '#757575' END,
                                  @extschema@.html_text(COALESCE(t->>os.status, os.status))) END),
                E'\n' ORDER BY os.due_on, os.objective_id)
         FROM @extschema@.objective_status os
         JOIN @extschema@.kpis k ON k.kpi_id = (SELECT x.kpi_id FROM @extschema@.objectives x WHERE x.objective_id = os.objective_id)
         LEFT JOIN LATERAL (SELECT x.objective_id, x.forecast_at_due, x.on_track FROM @extschema@.kpi_series x
                            WHERE x.kpi_id = k.kpi_id ORDER BY x.measured_on DESC LIMIT 1) s ON true
         WHERE os.organization_id = management_review_html.organization_id),
        '</table><p class="note">' || @extschema@.html_text(t->>'explain_forecast') || '</p></section>',

        -- incidents
        '<section><h2>' || @extschema@.html_text(t->>'incidents_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr>',
            @extschema@.html_text(t->>'month'), @extschema@.html_text(t->>'incidents'), @extschema@.html_text(t->>'severe_col'),
            @extschema@.html_text(t->>'mttd'), @extschema@.html_text(t->>'mttr'), @extschema@.html_text(t->>'reported24')),
        (SELECT pg_catalog.string_agg(pg_catalog.format(
                    '<tr><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                    pg_catalog.to_char(i.month, 'YYYY-MM'), i.incidents, i.severe_incidents,
                    @extschema@.report_number(i.mttd_hours), @extschema@.report_number(i.mttr_hours),
                    @extschema@.report_number(i.reported_within_24h_pct, 0)), E'\n' ORDER BY i.month)
         FROM @extschema@.incident_metrics_monthly i
         WHERE i.organization_id = management_review_html.organization_id
           AND i.month > pg_catalog.date_trunc('month', (today - 365)::timestamp)::date),
        '</table></section>',

        -- nonconformities
        '<section><h2>' || @extschema@.html_text(t->>'nc_heading') || '</h2><table>',
        pg_catalog.format('<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>',
            @extschema@.html_text(t->>'raised'), @extschema@.html_text(t->>'description'), @extschema@.html_text(t->>'owner'),
            @extschema@.html_text(t->>'due')),
        COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('<tr><td class="d">%s</td><td>%s</td><td>%s</td><td class="d%s">%s</td></tr>',
                    n.raised_on, @extschema@.html_text(n.description), @extschema@.html_text(n.owner),
                    CASE WHEN n.due_on < today THEN ' neg' ELSE '' END, @extschema@.html_text(n.due_on::text)),
                    E'\n' ORDER BY n.raised_on, n.nonconformity_id)
                  FROM @extschema@.nonconformities n
                  WHERE n.organization_id = management_review_html.organization_id AND n.closed_on IS NULL),
                 '<tr><td colspan="4">' || @extschema@.html_text(t->>'none') || '</td></tr>'),
        '</table></section>',

        -- departments
        sect,

        -- peers
        '<section><h2>' || @extschema@.html_text(t->>'peer_heading') || '</h2><div class="chart">',
        @extschema@.peer_distribution_svg(management_review_html.organization_id, fw.framework_id, lang),
        '</div><p class="note">' || @extschema@.html_text(t->>'explain_deviation') || ' '
            || @extschema@.html_text(t->>'note_peers') || '</p></section>',
        pg_catalog.format('<p class="note">%s %s.</p>', @extschema@.html_text(t->>'generated'), today),
        '</body></html>');
    RETURN html;
END
$$;
COMMENT ON FUNCTION @extschema@.management_review_html(bigint, bigint, text) IS
'A self-contained HTML management review (ISO/IEC 27001 9.3) of an organization for a framework (default: that of its latest organization-wide assessment): headline figures (a row per framework assessed: total as % of the scale, change since the previous assessment, coverage; then risks, KPIs, objectives, incidents, nonconformities), maturity by domain with changes and coverage, radar, risk heat map, KPI trends, objectives with forecasts, incidents by month, open nonconformities and peer standing; inline SVG, print CSS for A4; lang ''en'' or ''ja''.';
