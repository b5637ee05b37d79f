-- Charts as SVG (issue 13): the drawing functions in C (src/heatmap_svg.c,
-- src/trend_svg.c, src/peer_position_svg.c; the radar is radar_svg.c), and the
-- functions that draw an organization's data with them. Every chart is a
-- standalone, deterministic SVG document whose text is XML-escaped; labels come
-- in English or Japanese (report_label). The data functions run as the caller
-- (row-level security applies); peer figures come only from the published
-- release through peer_total_benchmark, with its floor.

-- ---------------------------------------------------------------------------
-- Labels
-- ---------------------------------------------------------------------------

-- The label key in language lang ('en' or 'ja'); 22023 for another language, the key itself
-- for an unknown key.
CREATE FUNCTION @extschema@.report_label(key text, lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    result  text;
BEGIN
    IF lang NOT IN ('en', 'ja') THEN
        RAISE EXCEPTION 'lang must be ''en'' or ''ja'', got ''%''', lang
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN lang = 'ja' THEN l.ja ELSE l.en END INTO result
    FROM (VALUES
        ('own', 'Own', '自組織'),
        ('peers', 'Peers (mean)', '同業他社（平均）'),
        ('peers_missing', 'Peers: not shown (too few peers)', '同業他社：表示なし（社数不足）'),
        ('target', 'Target', '目標'),
        ('maturity', 'maturity', '成熟度'),
        ('scale_note', 'scale %s-%s, centre = %s', '尺度 %s～%s、中心 = %s'),
        ('inherent', 'Inherent risk', '固有リスク'),
        ('residual', 'Residual risk', '残留リスク'),
        ('likelihood', 'Likelihood', '発生可能性'),
        ('impact', 'Impact', '影響度'),
        ('risk_map', 'risk map', 'リスクマップ'),
        ('risks', 'risks', '件のリスク'),
        ('forecast', 'forecast', '予測'),
        ('green', 'green', '緑'),
        ('amber', 'amber', '黄'),
        ('red', 'red', '赤'),
        ('peer_position', 'position among peers', '同業他社の中での位置'),
        ('peer_mean', 'peer mean', '同業他社平均'),
        ('peers_below', 'peers below', '下位の社'),
        ('peers_equal', 'equal', '同点'),
        ('peers_above', 'peers above', '上位の社'),
        ('total_pct', 'total score, % of the scale', '総合点（尺度に対する%）'),
        ('percentile', 'percentile', 'パーセンタイル'),
        ('rank_of', 'rank %1$s of %2$s', '%2$s社中 %1$s位'),
        ('deviation', 'deviation score', '偏差値'),
        ('published', 'peer figures published', '同業他社の数値の公表日'),
        ('no_peer_figures', 'No peer figures: too few peers, or none published yet.', '同業他社の数値なし：社数不足または未公表。'),
        ('peer_newcomer', 'Not in the peer release yet: the mean of the group''s %s organizations in it; percentile and rank once a release includes this organization.',
         '同業他社の公表値にまだ含まれていません：グループ内 %s 社の平均のみ。パーセンタイルと順位は、この組織を含む公表以降に表示します。'),
        ('review_title', 'Information security management review', '情報セキュリティ マネジメントレビュー'),
        ('peer_group', 'Peer group', '同業グループ'),
        ('framework', 'Framework', 'フレームワーク'),
        ('assessed_on', 'assessment of', '評価日'),
        ('report_of', 'Report of', '作成日'),
        ('period', 'Incident and risk period', 'インシデント・リスクの対象期間'),
        ('headline', 'Headline figures', '主要指標'),
        ('maturity_total', 'Maturity (total, % of the scale)', '成熟度（総合、尺度に対する%）'),
        ('change_prev', 'change since the previous assessment', '前回評価からの変化'),
        ('pp', 'points', 'ポイント'),
        ('risks_outside', 'Risks outside tolerance', '許容範囲外のリスク'),
        ('of_n', 'of %s', '全 %s 件中'),
        ('kpis_rag', 'KPIs green / amber / red', 'KPI 緑／黄／赤'),
        ('objectives_on_track', 'Objectives on track', '達成見込みの目標'),
        ('incidents_12m', 'Incidents, last 12 months', 'インシデント（過去12か月）'),
        ('severe_n', '%s severe', '重大 %s 件'),
        ('severe_col', 'Severe', '重大'),
        ('nc_open', 'Open nonconformities', '未完了の不適合'),
        ('actions_overdue_n', '%s corrective actions overdue', '是正処置の期限超過 %s 件'),
        ('coverage', 'Coverage', '回答率'),
        ('changes', 'Maturity by domain and changes since the last review', '領域別の成熟度と前回レビューからの変化'),
        ('domain', 'Domain', '領域'),
        ('score', 'Score', 'スコア'),
        ('vs_prev', 'vs previous', '前回比'),
        ('vs_year', 'vs a year ago', '前年比'),
        ('radar_heading', 'Maturity against peers and target', '成熟度：同業他社・目標との比較'),
        ('heatmap_heading', 'Risk map', 'リスクマップ'),
        ('kpi_heading', 'KPI trends', 'KPIの推移'),
        ('objectives_heading', 'Objectives', '情報セキュリティ目標'),
        ('objective', 'Objective', '目標'),
        ('due', 'Due', '期限'),
        ('latest', 'Latest', '最新値'),
        ('forecast_at_due', 'Forecast at due date', '期限時点の予測'),
        ('on_track', 'On track', '達成見込み'),
        ('status', 'Status', '状態'),
        ('yes', 'yes', 'はい'),
        ('no', 'no', 'いいえ'),
        ('achieved', 'achieved', '達成'),
        ('overdue', 'overdue', '期限超過'),
        ('incidents_heading', 'Incidents by month', '月別インシデント'),
        ('month', 'Month', '月'),
        ('incidents', 'Incidents', '件数'),
        ('mttd', 'Mean time to detect (h)', '平均検知時間（時間）'),
        ('mttr', 'Mean time to resolve (h)', '平均復旧時間（時間）'),
        ('reported24', 'Reported within 24 h (%)', '24時間以内の報告（%）'),
        ('nc_heading', 'Nonconformities and corrective actions', '不適合と是正処置'),
        ('raised', 'Raised', '発生日'),
        ('description', 'Description', '内容'),
        ('owner', 'Owner', '責任者'),
        ('peer_heading', 'Standing among peers', '同業他社の中での位置'),
        ('explain_deviation', 'The deviation score places the total score among the peers: 50 is the peer mean and every 10 points is one standard deviation (60 is above about 84 % of a normal distribution). The percentile is the share of peers below the organization, ties counted as half. Both are of the value published in the latest peer release.', '偏差値は総合点が同業他社の中でどの位置にあるかを示します。50が平均で、10ポイントが標準偏差1つ分です（60は正規分布のおよそ84%を上回ります）。パーセンタイルは自組織より下位の同業他社の割合で、同点は半分と数えます。いずれも最新の公表値に基づきます。'),
        ('explain_coverage', 'Coverage is the share of the applicable requirements answered with a score or a result; where it is low, the score rests on few answers.', '回答率は、該当する要求事項のうちスコアまたは結果が回答された割合です。回答率が低い領域のスコアは少数の回答に基づいています。'),
        ('explain_forecast', 'Forecast: the least-squares trend of the last 6 measurements, extended to the objective''s due date.', '予測：直近6回の測定値の最小二乗トレンドを目標の期限まで延長した値。'),
        ('note_peers', 'Peer figures come from the latest published release and are shown only where enough peers stand behind them.', '同業他社の数値は最新の公表値で、十分な社数がある場合にのみ表示されます。'),
        ('generated', 'Generated by ismseval', 'ismseval により作成'),
        ('none', 'none', 'なし'),
        ('dept_heading', 'Departments against the company-wide mean', '部門別：全社平均との比較'),
        ('department', 'Department', '部門'),
        ('company_mean', 'Company-wide mean', '全社平均'),
        ('explain_departments', 'Each department''s domain score in its latest assessment: green above the company-wide mean (the mean over the departments, each counted once), red below.', '各部門の最新の評価における領域スコア。全社平均（各部門を1回ずつ数えた平均）より高いものを緑、低いものを赤で示します。'),
        ('assessed', 'Assessed', '評価日'),
        ('explain_frameworks', 'One row per framework the organization assessed organization-wide, from its latest assessment of it; the sections below are about the framework in bold.', '組織全体で評価したフレームワークごとに、その最新の評価の値を1行で示します。以下の各節は太字のフレームワークについてのものです。')
    ) l(key, en, ja)
    WHERE l.key = report_label.key;
    RETURN COALESCE(result, key);
END
$$;
COMMENT ON FUNCTION @extschema@.report_label(text, text) IS
'The text of a chart or report label in English (lang ''en'') or Japanese (''ja''); 22023 for another language.';

-- ---------------------------------------------------------------------------
-- Drawing functions (C)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.heatmap_svg(matrix @extschema@.risk_matrix, inherent_counts integer[],
                                        residual_counts integer[], title text DEFAULT NULL,
                                        labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'heatmap_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.heatmap_svg(@extschema@.risk_matrix, integer[], integer[], text, text[]) IS
'A standalone SVG of the risk matrix drawn twice side by side with a count in each cell: inherent_counts and residual_counts hold one count per cell, row-major by likelihood (element (l - 1) x impact size + i for cell (l, i)); labels: the two panel captions and the likelihood and impact axis names.';

CREATE FUNCTION @extschema@.trend_svg(dates date[], vals double precision[], target double precision,
                                      higher_is_better boolean, amber_tolerance double precision,
                                      forecast_from date DEFAULT NULL,
                                      forecast_from_value double precision DEFAULT NULL,
                                      forecast_on date DEFAULT NULL,
                                      forecast_value double precision DEFAULT NULL,
                                      title text DEFAULT NULL, unit text DEFAULT NULL,
                                      labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'trend_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.trend_svg(date[], double precision[], double precision, boolean, double precision,
                                          date, double precision, date, double precision, text, text, text[]) IS
'A standalone SVG of a KPI series over time: the values (dates strictly increasing), the target line, the red/amber/green bands of kpi_status and, when all four forecast arguments are given, a dotted forecast line to (forecast_on, forecast_value); labels: target and forecast captions, then the green, amber and red band names.';

CREATE FUNCTION @extschema@.peer_position_svg(own_pct double precision, peer_mean_pct double precision,
                                              peers_below bigint, peers_equal bigint, peers_above bigint,
                                              title text DEFAULT NULL, labels text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'peer_position_svg'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.peer_position_svg(double precision, double precision, bigint, bigint, bigint, text, text[]) IS
'A standalone SVG of an organization''s place among its peers from aggregates only: its value and the peer mean on a 0-100 % scale, and the peer group as one bar of peers below, equal and above with a marker at the mid-rank percentile; labels: own, peer mean, below, equal, above, a footnote, the scale caption.';

-- ---------------------------------------------------------------------------
-- Charts of an organization's data
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.risk_heatmap_svg(organization_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    inh     integer[];
    res     integer[];
    n       bigint;
BEGIN
    SELECT o.name, o.risk_matrix INTO org FROM @extschema@.organizations o
    WHERE o.organization_id = risk_heatmap_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', risk_heatmap_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- one count per cell, row-major by likelihood, as risk_heatmap counts them
    SELECT pg_catalog.array_agg(h.risk_count::integer ORDER BY h.likelihood, h.impact),
           pg_catalog.array_agg(h.residual_risk_count::integer ORDER BY h.likelihood, h.impact)
      INTO inh, res
    FROM @extschema@.risk_heatmap h
    WHERE h.organization_id = risk_heatmap_svg.organization_id;
    SELECT pg_catalog.sum(x) INTO n FROM pg_catalog.unnest(inh) x;
    RETURN @extschema@.heatmap_svg(org.risk_matrix, inh, res,
        pg_catalog.format('%s: %s (%s %s)', org.name, @extschema@.report_label('risk_map', lang), n,
                          @extschema@.report_label('risks', lang)),
        ARRAY[@extschema@.report_label('inherent', lang), @extschema@.report_label('residual', lang),
              @extschema@.report_label('likelihood', lang), @extschema@.report_label('impact', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.risk_heatmap_svg(bigint, text) IS
'SVG heat map of an organization''s risks on its matrix, inherent and residual side by side (the counts of risk_heatmap: the rated residual cell, else residual_likelihood x impact), with level colours, scale labels and a count per cell; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.kpi_trend_svg(kpi_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    k       record;
    last    record;
    days    date[];
    vals    double precision[];
    fc_from_value double precision;
BEGIN
    SELECT kk.code, kk.name, kk.unit, kk.target, kk.direction, kk.amber_tolerance INTO k
    FROM @extschema@.kpis kk WHERE kk.kpi_id = kpi_trend_svg.kpi_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'KPI % does not exist', kpi_trend_svg.kpi_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.array_agg(m.measured_on ORDER BY m.measured_on), pg_catalog.array_agg(m.value ORDER BY m.measured_on)
      INTO days, vals
    FROM @extschema@.kpi_measurements m WHERE m.kpi_id = kpi_trend_svg.kpi_id;
    SELECT s.measured_on, s.value, s.trend_value, s.due_on, s.forecast_at_due INTO last
    FROM @extschema@.kpi_series s WHERE s.kpi_id = kpi_trend_svg.kpi_id
    ORDER BY s.measured_on DESC LIMIT 1;
    -- the forecast line starts on the trend line at the last measurement
    fc_from_value := last.trend_value;
    RETURN @extschema@.trend_svg(COALESCE(days, ARRAY[]::date[]), COALESCE(vals, ARRAY[]::double precision[]),
        k.target, k.direction = 'higher_is_better', k.amber_tolerance,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN last.measured_on END,
        CASE WHEN last.forecast_at_due IS NOT NULL THEN fc_from_value END,
        last.due_on, last.forecast_at_due,
        pg_catalog.format('%s %s', k.code, k.name), NULLIF(k.unit, ''),
        ARRAY[pg_catalog.format('%s %s', @extschema@.report_label('target', lang), k.target),
              pg_catalog.format('%s %s', @extschema@.report_label('forecast', lang),
                                pg_catalog.round(last.forecast_at_due::numeric, 1)),
              @extschema@.report_label('green', lang), @extschema@.report_label('amber', lang),
              @extschema@.report_label('red', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.kpi_trend_svg(bigint, text) IS
'SVG of a KPI''s measurements with its target line, red/amber/green bands and the kpi_series forecast (least-squares trend of the last 6 measurements) as a dotted line from the trend value at the last measurement to the forecast at its objective''s due date; lang ''en'' or ''ja''.';

CREATE FUNCTION @extschema@.peer_distribution_svg(organization_id bigint, framework_id bigint, lang text DEFAULT 'en')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS
$$
DECLARE
    org     record;
    fw      record;
    own     double precision;
    nq      bigint;
    pb      record;
    above   bigint;
    equal   bigint;
    below   bigint;
    note    text;
BEGIN
    SELECT o.name INTO org FROM @extschema@.organizations o WHERE o.organization_id = peer_distribution_svg.organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', peer_distribution_svg.organization_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT f.code, f.scale_min, f.scale_max INTO fw FROM @extschema@.frameworks f
    WHERE f.framework_id = peer_distribution_svg.framework_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'framework % does not exist', peer_distribution_svg.framework_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO nq FROM @extschema@.questions q
    WHERE q.framework_id = peer_distribution_svg.framework_id AND q.scored;
    SELECT b.total_score INTO own FROM @extschema@.org_benchmark b
    WHERE b.organization_id = peer_distribution_svg.organization_id AND b.framework = fw.code;
    IF own IS NULL THEN
        RAISE EXCEPTION 'organization % has no scored organization-wide assessment of framework %',
            peer_distribution_svg.organization_id, fw.code USING ERRCODE = 'no_data_found';
    END IF;
    -- published aggregates only (SECURITY DEFINER, floor applied): no peer's own value
    SELECT * INTO pb FROM @extschema@.peer_total_benchmark(peer_distribution_svg.organization_id,
                                                           peer_distribution_svg.framework_id);
    IF pb.in_peer_release THEN
        -- rank = 1 + peers above; percentile = 100 x (below + equal / 2) / peers
        above := pb.peer_rank - 1;
        equal := pg_catalog.round(2 * ((pb.peer_count - above) - pb.peer_percentile * pb.peer_count / 100))::bigint;
        below := pb.peer_count - above - equal;
        note := pg_catalog.format('%s %s · %s · %s %s · %s %s',
            @extschema@.report_label('percentile', lang), pg_catalog.round(pb.peer_percentile::numeric, 1),
            pg_catalog.format(@extschema@.report_label('rank_of', lang), pb.peer_rank, pb.peer_count + 1),
            @extschema@.report_label('deviation', lang), pg_catalog.round(pb.deviation_score::numeric, 1),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSIF pb.peer_count IS NOT NULL THEN
        -- not in the release yet: the group's mean, no place among its members
        above := 0; equal := 0; below := 0;
        note := pg_catalog.format('%s · %s %s', pg_catalog.format(@extschema@.report_label('peer_newcomer', lang), pb.peer_count),
            @extschema@.report_label('published', lang), (pb.as_of AT TIME ZONE 'UTC')::date);
    ELSE
        above := 0; equal := 0; below := 0;
        note := @extschema@.report_label('no_peer_figures', lang);
    END IF;
    RETURN @extschema@.peer_position_svg(
        100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min),
        below, equal, above,
        pg_catalog.format('%s: %s %s', org.name, fw.code, @extschema@.report_label('peer_position', lang)),
        ARRAY[pg_catalog.format('%s %s %%', @extschema@.report_label('own', lang),
                                pg_catalog.round((100 * (own / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              pg_catalog.format('%s %s %%', @extschema@.report_label('peer_mean', lang),
                                pg_catalog.round((100 * (pb.peer_mean_total / nq - fw.scale_min) / (fw.scale_max - fw.scale_min))::numeric, 1)),
              @extschema@.report_label('peers_below', lang), @extschema@.report_label('peers_equal', lang),
              @extschema@.report_label('peers_above', lang), note, @extschema@.report_label('total_pct', lang)]);
END
$$;
COMMENT ON FUNCTION @extschema@.peer_distribution_svg(bigint, bigint, text) IS
'SVG of an organization''s place in its peer group for a framework: its total score as a percentage of the scale (100 x (total / large questions - scale_min) / (scale_max - scale_min)), the peers'' mean, and the peers below, equal and above it with its percentile, rank and deviation score, all from the latest published release through peer_total_benchmark (nothing below the floor; the group''s mean only, without the bar, while the release does not include the organization); lang ''en'' or ''ja''.';
