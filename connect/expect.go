package connect

import "math"

// Expected is the number of connections a rule makes onto nLocal of its nTargets targets (those
// of one VP), from nSources sources, for reserving storage before the build: exact for
// one_to_one (nLocal), all_to_all (nSources·nLocal, less nLocal without autapses when the
// sources are the targets, which the caller cannot know here: the upper bound is returned) and
// fixed_indegree (K·nLocal); the mean plus three standard deviations for the random counts
// (fixed_total_number: N·nLocal/nTargets; fixed_outdegree: K·nSources·nLocal/nTargets;
// pairwise_bernoulli: p·nSources·nLocal); 0 when the rule gives no useful bound.
func Expected(spec Spec, nSources, nLocal, nTargets int) int {
	if nLocal <= 0 || nTargets <= 0 {
		return 0
	}
	frac := float64(nLocal) / float64(nTargets)
	withSlack := func(mean float64) int {
		return int(math.Ceil(mean + 3*math.Sqrt(mean) + 16))
	}
	switch spec.Rule {
	case RuleOneToOne:
		return nLocal
	case RuleAllToAll:
		return nSources * nLocal
	case RuleFixedIndegree:
		return int(spec.Indegree) * nLocal
	case RuleFixedTotalNumber:
		return withSlack(float64(spec.N) * frac)
	case RuleFixedOutdegree:
		return withSlack(float64(spec.Outdegree) * float64(nSources) * frac)
	case RulePairwiseBernoulli:
		return withSlack(spec.P * float64(nSources) * float64(nLocal))
	}
	return 0
}
