-- loss_exceedance_svg: a standalone, well-formed, deterministic SVG document.
SET search_path = ismseval, public;

CREATE TEMP TABLE lec_charts AS
SELECT loss_exceedance_svg(portfolio_loss(simulate_loss(f, lo, hi, 10000, id)),
                           'Portfolio <script>alert(1)</script> & "co"', 'EUR & <USD>') AS svg
FROM (VALUES (1, 0.5, 10000.0, 500000.0), (2, 3, 1000, 20000), (3, 0.1, 100000, 5000000)) v(id, f, lo, hi);
SELECT xml_is_well_formed_document(svg) AS well_formed,
       svg = (SELECT loss_exceedance_svg(portfolio_loss(simulate_loss(f, lo, hi, 10000, id)),
                                         'Portfolio <script>alert(1)</script> & "co"', 'EUR & <USD>')
              FROM (VALUES (1, 0.5, 10000.0, 500000.0), (2, 3, 1000, 20000), (3, 0.1, 100000, 5000000)) v(id, f, lo, hi))
         AS deterministic,
       position('<script' in svg) = 0 AS no_script_tag,
       position('Portfolio &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;' in svg) > 0 AS title_escaped,
       position('Annual loss (EUR &amp; &lt;USD&gt;)' in svg) > 0 AS unit_escaped,
       (xpath('count(//svg:polyline[@class="curve"])', svg::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text AS "1 curve",
       (xpath('count(//svg:g[@class="marker"])', svg::xml, ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text AS "3 markers"
FROM lec_charts;

-- By hand, {0,10,20,30,40}: the years with a loss are {10,20,30,40}, their 1 % quantile
-- 10 + 0.03 x 10 = 10.3; the 99.9 % quantile of all is 30 + 0.996 x 10 = 39.96; mean 20,
-- VaR 95 = 30 + 0.8 x 10 = 38, VaR 99 = 30 + 0.96 x 10 = 39.6.  Axis from 10 (1-2-5 below 10.3)
-- to 100 (50 is the 1-2-5 above 39.96, widened to a factor of 10): labels 10 and 100.
-- The mean's line at x = 100 + 680 x log10(20 / 10) = 100 + 680 x 0.30103 = 304.70;
-- VaR 95 at 100 + 680 x log10(3.8) = 100 + 680 x 0.579784 = 494.25.  The curve starts at
-- P(L >= 10) = 4/5: y = 430 - 360 x 0.8 = 142.00, and ends at P(L >= 100) = 0: y = 430.00.
SELECT (xpath('//svg:g[@class="tick-labels"]/svg:text[@text-anchor="middle"]/text()', s::xml,
              ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS "{10,100}",
       (xpath('//svg:g[@class="marker"]/svg:text/text()', s::xml,
              ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS markers,
       (xpath('//svg:g[@class="marker"]/svg:line/@x1', s::xml,
              ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS "{304.70,494.25,506.43}",
       split_part((xpath('//svg:polyline/@points', s::xml,
                         ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text, ' ', 1) AS "100.00,142.00",
       split_part((xpath('//svg:polyline/@points', s::xml,
                         ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))[1]::text, ' ', 241) AS "780.00,430.00"
FROM (SELECT loss_exceedance_svg('{0,10,20,30,40}') AS s) x;
-- No year with a loss: axis 1 to 10, a flat curve at 0, markers at the left edge.
SELECT xml_is_well_formed_document(s) AS well_formed,
       (xpath('//svg:g[@class="marker"]/svg:text/text()', s::xml,
              ARRAY[ARRAY['svg', 'http://www.w3.org/2000/svg']]))::text[] AS markers
FROM (SELECT loss_exceedance_svg('{0,0,0}', E'control \u0001 removed') AS s) x;
SELECT loss_exceedance_svg(NULL) IS NULL AS "NULL sim";
