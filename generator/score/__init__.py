"""Stage 2, score (pure): components -> the lesson's criteria -> verdicts, plus the OSAID and
MOF approximations, scorecard diffs and evidence coverage."""
