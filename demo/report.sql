-- The one-page HTML management review report of organization :org, written by demo.sql
-- with \o report.html. Helpers live in the ismseval_demo schema, not in the extension.

CREATE OR REPLACE FUNCTION ismseval_demo.h(v anyelement)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$SELECT coalesce(replace(replace(replace(replace(v::text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '&ndash;')$$;

-- A number rounded for display, or a dash.
CREATE OR REPLACE FUNCTION ismseval_demo.n(v double precision, digits integer DEFAULT 1)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN coalesce(round(v::numeric, digits)::text, '&ndash;');

-- A table row of cells (already escaped).
CREATE OR REPLACE FUNCTION ismseval_demo.tr(VARIADIC cells text[])
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '<tr>' || (SELECT string_agg('<td>' || c || '</td>', '' ORDER BY o) FROM unnest(cells) WITH ORDINALITY u(c, o)) || '</tr>';

-- A table header row.
CREATE OR REPLACE FUNCTION ismseval_demo.th(VARIADIC cells text[])
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '<tr>' || (SELECT string_agg('<th>' || c || '</th>', '' ORDER BY o) FROM unnest(cells) WITH ORDINALITY u(c, o)) || '</tr>';

-- A coloured badge.
CREATE OR REPLACE FUNCTION ismseval_demo.badge(label text, colour text)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format('<span class="badge" style="background:%s">%s</span>', colour, ismseval_demo.h(label));

-- The colour of a RAG status.
CREATE OR REPLACE FUNCTION ismseval_demo.rag(status text)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE status WHEN 'green' THEN '#2E7D32' WHEN 'amber' THEN '#F9A825' WHEN 'red' THEN '#C62828' ELSE '#9E9E9E' END;

SELECT concat_ws(E'\n',
'<!DOCTYPE html>',
'<html lang="en"><head><meta charset="utf-8">',
'<title>' || ismseval_demo.h(mr.organization_name) || ': ISMS management review</title>',
'<style>
 body { font-family: "Helvetica Neue", Arial, sans-serif; color: #212121; margin: 24px auto; max-width: 1100px; font-size: 13px; }
 h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 15px; border-bottom: 2px solid #37474F; padding-bottom: 2px; margin: 18px 0 6px; }
 .sub { color: #616161; margin-bottom: 12px; }
 .cards { display: flex; flex-wrap: wrap; gap: 8px; }
 .card { border: 1px solid #CFD8DC; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
 .card .v { font-size: 20px; font-weight: bold; } .card .k { color: #616161; font-size: 11px; }
 .cols { display: flex; gap: 24px; align-items: flex-start; } .cols > div { flex: 1; }
 table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ECEFF1; padding: 3px 6px; text-align: left; }
 th { background: #ECEFF1; font-weight: 600; } td.num, th.num { text-align: right; }
 .badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 11px; white-space: nowrap; }
 .neg { color: #C62828; } .note { color: #757575; font-size: 11px; margin-top: 16px; }
 svg { max-width: 100%; height: auto; }
 @media print { body { margin: 0; } }
</style></head><body>',
'<h1>' || ismseval_demo.h(mr.organization_name) || ': information security management review</h1>',
'<div class="sub">Peer group ' || ismseval_demo.h(mr.peer_group) || ' &middot; ' || ismseval_demo.h(mr.framework)
    || ' self-assessment of ' || ismseval_demo.h(mr.assessed_on) || ' &middot; report of ' || ismseval_demo.h(CURRENT_DATE) || '</div>',
'<div class="cards">',
format('<div class="card"><div class="v">%s</div><div class="k">total score (peers %s)</div></div>',
       ismseval_demo.n(mr.total_score, 0), ismseval_demo.n(mr.peer_mean_total, 1)),
format('<div class="card"><div class="v">%s / %s</div><div class="k">rank among peers</div></div>',
       ismseval_demo.h(mr.peer_rank), ismseval_demo.h(mr.ranked_organizations)),
format('<div class="card"><div class="v">%s</div><div class="k">deviation score</div></div>', ismseval_demo.n(mr.deviation_score, 1)),
format('<div class="card"><div class="v">%s</div><div class="k">risks outside tolerance (of %s)</div></div>',
       mr.risks_outside_tolerance, mr.risks),
format('<div class="card"><div class="v">%s %s %s</div><div class="k">KPIs green / amber / red (%s stale)</div></div>',
       ismseval_demo.badge(mr.kpis_green::text, '#2E7D32'), ismseval_demo.badge(mr.kpis_amber::text, '#F9A825'),
       ismseval_demo.badge(mr.kpis_red::text, '#C62828'), mr.kpis_stale),
format('<div class="card"><div class="v">%s</div><div class="k">objectives overdue (of %s)</div></div>', mr.objectives_overdue, mr.objectives),
format('<div class="card"><div class="v">%s</div><div class="k">incidents, 12 months (%s severe)</div></div>', mr.incidents_12m, mr.severe_incidents_12m),
format('<div class="card"><div class="v">%s h / %s h</div><div class="k">MTTD / MTTR, 12 months</div></div>',
       ismseval_demo.n(mr.mttd_hours_12m, 1), ismseval_demo.n(mr.mttr_hours_12m, 1)),
format('<div class="card"><div class="v">%s</div><div class="k">open nonconformities (%s actions overdue)</div></div>',
       mr.nonconformities_open, mr.corrective_actions_overdue),
'</div>',
'<div class="cols"><div>',
'<h2>Maturity against peers and target</h2>',
ismseval.org_radar_svg(mr.organization_id),
'</div><div>',
'<h2>Maturity by domain</h2><table>',
ismseval_demo.th('Domain', 'Own', 'Peers', 'Gap', 'Target', 'Percentile'),
(SELECT string_agg(ismseval_demo.tr(ismseval_demo.h(m.domain || ' ' || m.domain_name), ismseval_demo.n(m.own_score, 2),
                                    ismseval_demo.n(m.peer_score, 2),
                                    CASE WHEN m.gap_to_peers < 0 THEN '<span class="neg">' || ismseval_demo.n(m.gap_to_peers, 2) || '</span>'
                                         ELSE ismseval_demo.n(m.gap_to_peers, 2) END,
                                    ismseval_demo.n(m.target, 1), ismseval_demo.n(m.peer_percentile, 0)), '' ORDER BY m.display_order)
   FROM ismseval.maturity_by_domain m WHERE m.organization_id = mr.organization_id AND m.framework = mr.framework),
'</table>',
'<h2>KPIs</h2><table>',
ismseval_demo.th('KPI', 'Latest', 'Target', 'Attainment', 'Change', 'Status'),
(SELECT string_agg(ismseval_demo.tr(ismseval_demo.h(k.kpi_name) || CASE WHEN k.stale THEN ' <em>(stale)</em>' ELSE '' END,
                                    ismseval_demo.n(k.latest_value, 1) || ' ' || ismseval_demo.h(k.unit),
                                    ismseval_demo.n(k.target, 0), ismseval_demo.n(k.attainment_pct, 0) || ' %',
                                    ismseval_demo.n(k.change, 1),
                                    ismseval_demo.badge(coalesce(k.status, 'none'), ismseval_demo.rag(k.status))), '' ORDER BY k.status, k.kpi)
   FROM ismseval.kpi_status k WHERE k.organization_id = mr.organization_id),
'</table>',
'</div></div>',
'<h2>Top risks (by residual score)</h2><table>',
ismseval_demo.th('Risk', 'Asset', 'L x I', 'Inherent', 'Controls', 'Residual', 'Treatment', 'Owner', 'Tolerance'),
(SELECT string_agg(ismseval_demo.tr(ismseval_demo.h(r.title), ismseval_demo.h(r.asset), r.likelihood || ' x ' || r.impact,
                                    ismseval_demo.badge(r.inherent_level || ' ' || r.inherent_score, r.inherent_color),
                                    ismseval_demo.n(100 * r.control_effectiveness, 0) || ' %',
                                    ismseval_demo.badge(r.residual_level || ' ' || ismseval_demo.n(r.residual_score, 1), r.residual_color),
                                    ismseval_demo.h(r.treatment) || CASE WHEN r.acceptance_expired THEN ' <span class="neg">(expired)</span>' ELSE '' END,
                                    ismseval_demo.h(r.owner),
                                    CASE WHEN r.within_tolerance THEN 'within' ELSE '<span class="neg">outside</span>' END), '' ORDER BY rn)
   FROM (SELECT r.*, row_number() OVER (ORDER BY r.residual_score DESC, r.inherent_score DESC, r.risk_id) AS rn
         FROM ismseval.risk_register r WHERE r.organization_id = mr.organization_id) r WHERE rn <= 8),
'</table>',
'<div class="cols"><div>',
'<h2>Objectives</h2><table>',
ismseval_demo.th('Objective', 'Owner', 'Due', 'Progress', 'Status'),
(SELECT string_agg(ismseval_demo.tr(ismseval_demo.h(o.objective), ismseval_demo.h(o.owner), ismseval_demo.h(o.due_on),
                                    ismseval_demo.n(o.progress_pct, 0) || ' %',
                                    CASE WHEN o.achieved THEN ismseval_demo.badge('achieved', '#2E7D32')
                                         WHEN o.overdue THEN ismseval_demo.badge('overdue', '#C62828')
                                         ELSE ismseval_demo.badge('open', '#607D8B') END), '' ORDER BY o.due_on)
   FROM ismseval.objective_status o WHERE o.organization_id = mr.organization_id),
'</table>',
'</div><div>',
'<h2>Incidents by month</h2><table>',
ismseval_demo.th('Month', 'Incidents', 'Severe', 'MTTD h', 'MTTR h', 'Reported &le; 24 h'),
(SELECT string_agg(ismseval_demo.tr(to_char(i.month, 'YYYY-MM'), i.incidents::text, i.severe_incidents::text,
                                    ismseval_demo.n(i.mttd_hours, 1), ismseval_demo.n(i.mttr_hours, 1),
                                    ismseval_demo.n(i.reported_within_24h_pct, 0) || ' %'), '' ORDER BY i.month)
   FROM ismseval.incident_metrics_monthly i
   WHERE i.organization_id = mr.organization_id AND i.month >= date_trunc('month', CURRENT_DATE - 365)),
'</table>',
'</div></div>',
'<div class="note">Peers: organizations of the same core business type and size band; peer figures are shown only for groups of at least '
    || current_setting('ismseval.min_peer_group') || ' organizations. Generated by ismseval from demo data.</div>',
'</body></html>')
FROM ismseval.management_review mr
WHERE mr.organization_id = :org;
