-- risk_score and residual_risk, with values worked out by hand.
SET search_path = ismseval, public;

-- likelihood x impact on the 4x4 scales of the working group: corners and middle.
SELECT risk_score(1, 1) AS "1x1=1", risk_score(4, 4) AS "4x4=16", risk_score(2, 3) AS "2x3=6",
       risk_score(3, 2) AS "3x2=6", risk_score(0, 4) AS "0x4=0";
-- the double precision form.
SELECT risk_score(2.5, 4.0) AS "2.5x4=10", risk_score(0.5::float8, 0.5::float8) AS "0.25";
-- asset value x threat x vulnerability: asset value 3 (max of C=3, I=2, A=1), threat 2, vulnerability 3.
SELECT risk_score(greatest(3, 2, 1), 2, 3) AS "3x2x3=18", risk_score(1.5, 2.0, 2.0) AS "6";
-- NULL in, NULL out.
SELECT risk_score(NULL::int, 3) IS NULL AS null1, risk_score(2, NULL::int, 3) IS NULL AS null2,
       residual_risk(NULL, 0.5) IS NULL AS null3;
-- residual = inherent x (1 - e): 12 x 0.75 = 9; 16 x 0 = 0; 9 x 1 = 9.
SELECT residual_risk(12, 0.25) AS "9", residual_risk(16, 1) AS "0", residual_risk(9, 0) AS "9";

-- errors
\set VERBOSITY sqlstate
SELECT risk_score(-1, 3);
SELECT risk_score(2, -3);
SELECT risk_score(-1, 2, 3);
SELECT risk_score(65536, 65536);
SELECT risk_score('NaN'::float8, 2);
SELECT risk_score(2, 'Infinity'::float8);
SELECT risk_score(-0.5::float8, 2);
SELECT risk_score(1e200::float8, 1e200::float8);
SELECT risk_score(1, 2, 'NaN'::float8);
SELECT residual_risk(10, 1.5);
SELECT residual_risk(10, -0.1);
SELECT residual_risk(-10, 0.5);
SELECT residual_risk('Infinity', 0.5);
SELECT residual_risk(10, 'NaN');
\set VERBOSITY default
-- and the messages name the argument and the range
SELECT residual_risk(10, 1.5);
SELECT risk_score(2, -3);
