-- Charts and the management review report (issue 13): well-formed, deterministic, markup in
-- the data inert, hand-worked figures in the pictures, every error path. The data is
-- test/charts_fixture.psql (test/charts_xml.sh also runs xmllint over the same charts).
SET search_path = ismseval, public;
SET TimeZone = 'UTC';
SET ismseval.min_peer_group = 3;
\set VERBOSITY sqlstate
BEGIN;
\i test/charts_fixture.psql
SELECT organization_id AS a FROM organizations WHERE code = 'A' \gset
SELECT kpi_id AS k FROM kpis WHERE code = 'K' \gset
SELECT framework_id AS c FROM frameworks WHERE code = 'C' \gset

CREATE TEMP TABLE doc (what text, lang text, body text);
INSERT INTO doc VALUES
    ('radar', 'en', org_radar_svg(:a)), ('radar', 'ja', org_radar_svg(:a, lang => 'ja')),
    ('heatmap', 'en', risk_heatmap_svg(:a)), ('heatmap', 'ja', risk_heatmap_svg(:a, 'ja')),
    ('kpi', 'en', kpi_trend_svg(:k)), ('kpi', 'ja', kpi_trend_svg(:k, 'ja')),
    ('peers', 'en', peer_distribution_svg(:a, :c)), ('peers', 'ja', peer_distribution_svg(:a, :c, 'ja')),
    ('report', 'en', management_review_html(:a)), ('report', 'ja', management_review_html(:a, lang => 'ja'));

-- Every document is well-formed XML (the report is polyglot HTML), byte-identical when drawn
-- again, and the markup in the data (names, titles, descriptions) is text: no <script>, <b>, <i>
-- or <a> element, and every & starts an entity.
SELECT d.what, d.lang,
       xml_is_well_formed_document(d.body) AS well_formed,
       md5(d.body) = md5(CASE d.what WHEN 'radar' THEN org_radar_svg(:a, lang => d.lang)
                                     WHEN 'heatmap' THEN risk_heatmap_svg(:a, d.lang)
                                     WHEN 'kpi' THEN kpi_trend_svg(:k, d.lang)
                                     WHEN 'peers' THEN peer_distribution_svg(:a, :c, d.lang)
                                     ELSE management_review_html(:a, lang => d.lang) END) AS same_again,
       d.body !~ '<(script|b|i|a)[ >]' AS no_injected_element,
       d.body !~ '&(?!(amp|lt|gt|quot|#[0-9]+);)' AS ampersands_escaped,
       d.body ~ (CASE WHEN d.what = 'kpi' THEN 'Patched &amp; &lt;i&gt;fast&lt;/i&gt;'
                      ELSE 'Org &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; Co' END) AS name_shown_as_text
FROM doc d ORDER BY 1, 2;

-- The report contains its charts (radar, heat map, one KPI trend, peers) and, in Japanese,
-- Japanese labels in its text and in its charts.
SELECT lang, (length(body) - length(replace(body, '<svg ', ''))) / length('<svg ') AS charts,
       body LIKE '%<html lang="' || lang || '">%' AS html_lang,
       body LIKE '%マネジメントレビュー%' AS ja_title, body LIKE '%固有リスク%' AS ja_heatmap,
       body LIKE '%自組織%' AS ja_radar, body LIKE '%@page { size: A4%' AS print_css
FROM doc WHERE what = 'report' ORDER BY lang;

-- Residual cells: likelihood ceil(l x (1 - e)), at least 1.
--   (4, 0) 4;  (3, 0.5) ceil 1.5 = 2;  (2, 0.75) ceil 0.5 = 1;  (4, 0.75) 1;  (3, 1/3) 3 x 2/3 = 2 exactly: 2;
--   (1, 0.9) ceil 0.1 = 1;  (4, 1) 0 -> at least 1
SELECT residual_likelihood(4, 0), residual_likelihood(3, 0.5), residual_likelihood(2, 0.75),
       residual_likelihood(4, 0.75), residual_likelihood(3, 1 / 3.0), residual_likelihood(1, 0.9),
       residual_likelihood(4, 1);

-- Heat map counts, cells in the order drawn (likelihood 1..4, impact 1..4), inherent then residual:
--   R1 (4, 4, 0):    inherent (4, 4) = cell 16; residual likelihood 4: (4, 4) = 16
--   R2 (3, 2, 0.5):  inherent (3, 2) = cell 10; residual ceil(1.5) = 2: (2, 2) = 6
--   R3 (2, 4, 0.75): inherent (2, 4) = cell 8;  residual ceil(0.5) = 1: (1, 4) = 4
SELECT array_agg(m[2]::int ORDER BY n) FILTER (WHERE n <= 16) AS inherent,
       array_agg(m[2]::int ORDER BY n) FILTER (WHERE n > 16) AS residual
FROM regexp_matches((SELECT body FROM doc WHERE what = 'heatmap' AND lang = 'en'),
                    'font-weight="bold" fill="#[0-9a-fA-F]{6}"( fill-opacity="0.35")?>([0-9]+)</text>', 'g')
     WITH ORDINALITY r(m, n);
SELECT body LIKE '%<title>Org &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co: risk map (3 risks)</title>%' AS titled
FROM doc WHERE what = 'heatmap' AND lang = 'en';

-- KPI trend (plot x 56..530, y 285 (0) .. 62 (top)): values 60, 66, 72 at days 0, 30, 60 of
-- 2025; the kpi_series slope 0.2/day reaches 102 at the due date (day 210), a KPI in %:
-- forecast 100. Top of the axis: 1.08 x max(90, 81, 72, 100) = 108, step 25 (108 / 5 = 21.6
-- -> 2.5 x 10), so 125.
--   target 90: y = 285 - 223 x 90/125 = 124.44
--   forecast from the trend value at day 60, 72: x = 56 + 474 x 60/210 = 191.43,
--     y = 285 - 223 x 72/125 = 156.55; to (day 210, 100): x = 530, y = 285 - 223 x 100/125 = 106.60
SELECT body LIKE '%<line x1="56.00" y1="124.44" x2="530.00" y2="124.44" stroke="#1B5E20"%' AS target_line,
       body LIKE '%<line x1="191.43" y1="156.55" x2="530.00" y2="106.60" stroke="#6A1B9A"%' AS forecast_line,
       body LIKE '%>forecast 100.0</text>%' AS forecast_label, body LIKE '%>2025-07-30</text>%' AS due_date
FROM doc WHERE what = 'kpi' AND lang = 'en';

-- Peers (published release): totals (sum of the two scores) A 3 + 2 = 5; P1 2, P2 5, P3 8.
-- 3 peers, mean 5; below 1, equal 1, above 1: percentile 100 x (1 + 0.5) / 3 = 50, rank 2 of 4,
-- population sd sqrt((9 + 0 + 9) / 3), deviation 50 + 10 x 0 / sd = 50.
-- Percentages: own 100 x (5/2 - 1) / 3 = 50, peer mean the same.
SELECT array_agg(m[1]::int ORDER BY n) AS below_equal_above,
       (SELECT body LIKE '%>percentile 50.0 · rank 2 of 4 · deviation score 50.0 · peer figures published %'
               AND body LIKE '%>Own 50.0 %%</text>%' AND body LIKE '%>peer mean 50.0 %%</text>%'
        FROM doc WHERE what = 'peers' AND lang = 'en') AS figures
FROM regexp_matches((SELECT body FROM doc WHERE what = 'peers' AND lang = 'en'),
                    'font-weight="bold" fill="#ffffff">([0-9]+)</text>', 'g') WITH ORDINALITY r(m, n);

-- Report: total 50 % of the scale; the previous assessment (2 + 2)/2 = 2 -> 100 x 1/3 = 33.33,
-- change +16.7 points; coverage 2 / 2 = 100 %; D1 3 - 2 = +1.00, D2 2 - 2 = 0.00.
SELECT body LIKE '%<tr class="this"><td>C Chart test</td><td class="d">' || DATE '2025-03-01'
                 || '</td><td class="n">50.0 %%</td><td class="n pos">+16.7</td><td class="n">100 %%</td></tr>%' AS headline,
       body LIKE '%<td class="n pos">+1.00</td>%' AS d1_change, body LIKE '%<td class="n">0.00</td>%' AS d2_change
FROM doc WHERE what = 'report' AND lang = 'en';

-- Departments (case A): company means D1 (4 + 2)/2 = 3, D2 (1 + 3)/2 = 2; IT 4 above (pos),
-- 1 below (neg); Sales 2 below, 3 above; the department's name escaped.
SELECT body LIKE '%<tr><td>IT</td><td class="n pos">4.00</td><td class="n neg">1.00</td></tr>%' AS it_row,
       body LIKE '%<tr><td>Sales &amp; &lt;b&gt;</td><td class="n neg">2.00</td><td class="n pos">3.00</td></tr>%' AS sales_row,
       body LIKE '%<th>Company-wide mean</th><th class="n">3.00</th><th class="n">2.00</th>%' AS company_row
FROM doc WHERE what = 'report' AND lang = 'en';

-- Radar: colours stay with their meaning. With peers: own blue, peers orange, target green.
-- Without (floor 10): no orange polygon, the target still green and dashed, the peers greyed.
SELECT body LIKE '%<g class="series" fill="#E65100"%' AS peers_orange,
       body LIKE '%<g class="series" fill="#2E7D32" stroke="#2E7D32">%stroke-dasharray="7 4"%' AS target_green_dashed,
       body LIKE '%>D1 Govern &amp;</tspan>%' AS domain_named, body LIKE '%, scale 1-4, centre = 1</text>%' AS scale_stated
FROM doc WHERE what = 'radar' AND lang = 'en';
SET LOCAL ismseval.min_peer_group = 10;
SELECT s LIKE '%<g class="series" fill="#E65100"%' AS peers_orange,
       s LIKE '%<g class="series" fill="#2E7D32" stroke="#2E7D32">%stroke-dasharray="7 4"%' AS target_green_dashed,
       s LIKE '%fill="#9e9e9e">Peers: not shown (too few peers)</text>%' AS peers_greyed
FROM (SELECT org_radar_svg(:a) AS s) x;
SET LOCAL ismseval.min_peer_group = 3;

-- A KPI without measurements still draws (an empty series).
SELECT xml_is_well_formed_document(trend_svg('{}', '{}', 5, false, 0.2)) AS empty_series;
-- A framework that does not exist.
SELECT peer_distribution_svg(:a, -1);
ROLLBACK;

-- Errors
SELECT heatmap_svg(default_risk_matrix(), '{1,2}', array_fill(0, ARRAY[16]));
SELECT heatmap_svg(default_risk_matrix(), array_fill(0, ARRAY[16]), array_fill(NULL::int, ARRAY[16]));
SELECT heatmap_svg(default_risk_matrix(), array_fill(-1, ARRAY[16]), array_fill(0, ARRAY[16]));
SELECT heatmap_svg(NULL, array_fill(0, ARRAY[16]), array_fill(0, ARRAY[16]));
SELECT trend_svg('{2025-01-02,2025-01-01}', '{1,2}', 90, true, 0.1);
SELECT trend_svg('{2025-01-01}', '{1,2}', 90, true, 0.1);
SELECT trend_svg('{2025-01-01}', '{NaN}', 90, true, 0.1);
SELECT trend_svg('{2025-01-01}', '{1}', 90, true, 1.5);
SELECT trend_svg('{2025-01-01}', '{1}', NULL, true, 0.1);
SELECT trend_svg('{infinity}', '{1}', 90, true, 0.1);
SELECT trend_svg('{2025-01-01}', '{1e300}', 90, true, 0.1);
SELECT trend_svg('{{2025-01-01}}', '{{1}}', 90, true, 0.1);
SELECT trend_svg('{2025-01-01}', '{1}', 90, true, 0.1, '2025-01-01', 1, '2024-12-01', 2);
SELECT peer_position_svg(50, 50, -1, 0, 0);
SELECT peer_position_svg(NULL, 50, 1, 0, 0);
SELECT peer_position_svg('Infinity', 50, 1, 0, 0);
SELECT report_label('own', 'fr');
SELECT management_review_html(-1);
SELECT risk_heatmap_svg(-1);
SELECT kpi_trend_svg(-1);
SELECT peer_distribution_svg(-1, -1);
