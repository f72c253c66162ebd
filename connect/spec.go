package connect

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/nest-mpi/nest-mpi/models/status"
)

// The connection rules, by their NEST names.
const (
	RuleOneToOne                   = "one_to_one"
	RuleAllToAll                   = "all_to_all"
	RuleFixedIndegree              = "fixed_indegree"
	RuleFixedOutdegree             = "fixed_outdegree"
	RuleFixedTotalNumber           = "fixed_total_number"
	RulePairwiseBernoulli          = "pairwise_bernoulli"
	RuleSymmetricPairwiseBernoulli = "symmetric_pairwise_bernoulli"
)

// Rules returns the names of the supported rules, sorted.
func Rules() []string {
	out := []string{RuleOneToOne, RuleAllToAll, RuleFixedIndegree, RuleFixedOutdegree,
		RuleFixedTotalNumber, RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli}
	sort.Strings(out)
	return out
}

// nestOnlyRules are rules NEST has and nest-mpi does not (NotImplemented rather than an
// unknown rule).
var nestOnlyRules = map[string]bool{
	"pairwise_poisson":                 true,
	"tripartite_bernoulli_with_pool":   true,
	"third_factor_bernoulli_with_pool": true,
	"conngen":                          true,
}

// spatialKeys are conn_spec keys of NEST's spatial connectivity (ConnectLayers).
var spatialKeys = []string{"mask", "use_on_source", "allow_oversized_mask"}

// Spec is a parsed conn_spec. Build it with ParseSpec or with the rule constructors (OneToOne,
// AllToAll, FixedIndegree, ...), which set NEST's defaults; the zero Spec is not valid. Fields
// that the rule does not use are ignored.
type Spec struct {
	Rule           string // one of the Rule* names
	Indegree       int64  // fixed_indegree
	Outdegree      int64  // fixed_outdegree
	N              int64  // fixed_total_number
	P              float64
	AllowAutapses  bool // default true
	AllowMultapses bool // default true
	MakeSymmetric  bool // default false
}

func defaultSpec(rule string) Spec {
	return Spec{Rule: rule, AllowAutapses: true, AllowMultapses: true}
}

// OneToOne returns the one_to_one rule: source i to target i.
func OneToOne() Spec { return defaultSpec(RuleOneToOne) }

// AllToAll returns the all_to_all rule (NEST's default): every source to every target.
func AllToAll() Spec { return defaultSpec(RuleAllToAll) }

// FixedIndegree returns fixed_indegree: every target gets k sources drawn at random.
func FixedIndegree(k int64) Spec { s := defaultSpec(RuleFixedIndegree); s.Indegree = k; return s }

// FixedOutdegree returns fixed_outdegree: every source gets k targets drawn at random.
func FixedOutdegree(k int64) Spec { s := defaultSpec(RuleFixedOutdegree); s.Outdegree = k; return s }

// FixedTotalNumber returns fixed_total_number: n connections between random pairs.
func FixedTotalNumber(n int64) Spec { s := defaultSpec(RuleFixedTotalNumber); s.N = n; return s }

// PairwiseBernoulli returns pairwise_bernoulli: every pair connected with probability p.
func PairwiseBernoulli(p float64) Spec { s := defaultSpec(RulePairwiseBernoulli); s.P = p; return s }

// SymmetricPairwiseBernoulli returns symmetric_pairwise_bernoulli with the settings NEST
// requires: allow_autapses false, allow_multapses true, make_symmetric true.
func SymmetricPairwiseBernoulli(p float64) Spec {
	s := defaultSpec(RuleSymmetricPairwiseBernoulli)
	s.P, s.AllowAutapses, s.MakeSymmetric = p, false, true
	return s
}

// WithAutapses returns s with allow_autapses set.
func (s Spec) WithAutapses(allow bool) Spec {
	s.AllowAutapses = allow
	return s
}

// WithMultapses returns s with allow_multapses set.
func (s Spec) WithMultapses(allow bool) Spec {
	s.AllowMultapses = allow
	return s
}

// WithSymmetric returns s with make_symmetric set.
func (s Spec) WithSymmetric(sym bool) Spec {
	s.MakeSymmetric = sym
	return s
}

// ruleKeys returns the keys the rule takes besides rule, allow_autapses, allow_multapses and
// make_symmetric.
func ruleKeys(rule string) []string {
	switch rule {
	case RuleFixedIndegree:
		return []string{"indegree"}
	case RuleFixedOutdegree:
		return []string{"outdegree"}
	case RuleFixedTotalNumber:
		return []string{"N"}
	case RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
		return []string{"p"}
	}
	return nil
}

func acceptedKeys(rule string) string {
	keys := append([]string{"rule"}, ruleKeys(rule)...)
	keys = append(keys, "allow_autapses", "allow_multapses", "make_symmetric")
	return strings.Join(keys, ", ")
}

func isRule(name string) bool {
	switch name {
	case RuleOneToOne, RuleAllToAll, RuleFixedIndegree, RuleFixedOutdegree,
		RuleFixedTotalNumber, RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
		return true
	}
	return false
}

// ruleError returns the error for a rule name that is not supported.
func ruleError(name string) error {
	if nestOnlyRules[name] {
		return status.Errorf(status.NotImplemented, "conn_spec: connection rule %q is not implemented in nest-mpi; supported rules: %s", name, strings.Join(Rules(), ", "))
	}
	return status.Errorf(status.BadProperty, "conn_spec: unknown connection rule %q; known rules: %s", name, strings.Join(Rules(), ", "))
}

// ParseSpec parses a conn_spec: nil (all_to_all, NEST's default), a rule name, a Spec, or a
// dictionary {"rule": ..., "indegree": ..., "outdegree": ..., "N": ..., "p": ...,
// "allow_autapses": ..., "allow_multapses": ..., "make_symmetric": ...}. NEST 2's
// "autapses" and "multapses" are accepted for allow_autapses and allow_multapses.
//
// Errors, as NEST raises them: a missing rule or rule parameter, a negative degree or N, p
// outside [0, 1], and a symmetric_pairwise_bernoulli without p < 1, allow_autapses false,
// allow_multapses true and make_symmetric true are BadProperty; an unknown rule is a
// BadProperty listing the rules (a NEST rule nest-mpi lacks is NotImplemented);
// fixed_total_number with allow_multapses false and make_symmetric with a rule other than
// one_to_one are NotImplemented; a key the rule does not take is UnaccessedDictionaryEntry; a
// value of the wrong type (a float degree, a string flag) is TypeMismatch. A degree or p given
// as a random parameter, and spatial keys (mask), are NotImplemented.
func ParseSpec(v any) (Spec, error) {
	switch x := v.(type) {
	case nil:
		return AllToAll(), nil
	case string:
		if !isRule(x) {
			return Spec{}, ruleError(x)
		}
		if keys := ruleKeys(x); len(keys) > 0 {
			return Spec{}, status.Errorf(status.BadProperty, "conn_spec: rule %s needs the parameter %s; give a dictionary {\"rule\": %q, %q: ...}", x, keys[0], x, keys[0])
		}
		return defaultSpec(x), nil
	case Spec:
		return x, x.Validate()
	case *Spec:
		if x != nil {
			return *x, x.Validate()
		}
	case map[string]any:
		return parseSpecDict(x)
	}
	return Spec{}, status.Errorf(status.TypeMismatch, "conn_spec must be a rule name (%s), a dictionary with a 'rule' key, or nothing (all_to_all); got %s", strings.Join(Rules(), ", "), status.Describe(v))
}

func parseSpecDict(d status.Dict) (Spec, error) {
	r := status.NewReader(d, "conn_spec")
	if !r.Has("rule") {
		return Spec{}, status.Errorf(status.BadProperty, "conn_spec: the dictionary must contain the connection rule (key 'rule'); known rules: %s", strings.Join(Rules(), ", "))
	}
	var rule string
	if _, err := r.String("rule", &rule); err != nil {
		return Spec{}, err
	}
	if !isRule(rule) {
		return Spec{}, ruleError(rule)
	}
	r.Context = "conn_spec (rule " + rule + ")"
	for _, k := range spatialKeys {
		if r.Has(k) {
			return Spec{}, status.Errorf(status.NotImplemented, "conn_spec (rule %s): spatial connectivity (key %q) is not implemented in nest-mpi", rule, k)
		}
	}
	s := defaultSpec(rule)

	// flag reads a boolean under its NEST 3 name or its NEST 2 name.
	flag := func(key, old string, dst *bool) error {
		if r.Has(key) && r.Has(old) {
			var a, b bool
			if _, err := r.Bool(key, &a); err != nil {
				return err
			}
			if _, err := r.Bool(old, &b); err != nil {
				return err
			}
			if a != b {
				return status.Errorf(status.BadProperty, "conn_spec (rule %s): %s (NEST 3) and %s (NEST 2) name the same setting and disagree (%v, %v)", rule, key, old, a, b)
			}
			*dst = a
			return nil
		}
		if r.Has(old) {
			key = old
		}
		_, err := r.Bool(key, dst)
		return err
	}
	if err := flag("allow_autapses", "autapses", &s.AllowAutapses); err != nil {
		return Spec{}, err
	}
	if err := flag("allow_multapses", "multapses", &s.AllowMultapses); err != nil {
		return Spec{}, err
	}
	if _, err := r.Bool("make_symmetric", &s.MakeSymmetric); err != nil {
		return Spec{}, err
	}

	// required reads the rule's parameter: it must be present and not a random parameter.
	required := func(key string) error {
		raw, ok := r.D[key]
		if !ok {
			return status.Errorf(status.BadProperty, "conn_spec (rule %s): the required parameter %s is missing; the rule accepts %s", rule, key, acceptedKeys(rule))
		}
		switch raw.(type) {
		case map[string]any, Dist, *Dist, Value, *Value:
			return status.Errorf(status.NotImplemented, "conn_spec (rule %s): %s as a random or spatial parameter is not implemented in nest-mpi; give a number", rule, key)
		}
		return nil
	}
	switch rule {
	case RuleFixedIndegree:
		if err := required("indegree"); err != nil {
			return Spec{}, err
		}
		if _, err := r.Int("indegree", &s.Indegree); err != nil {
			return Spec{}, err
		}
	case RuleFixedOutdegree:
		if err := required("outdegree"); err != nil {
			return Spec{}, err
		}
		if _, err := r.Int("outdegree", &s.Outdegree); err != nil {
			return Spec{}, err
		}
	case RuleFixedTotalNumber:
		if err := required("N"); err != nil {
			return Spec{}, err
		}
		if _, err := r.Int("N", &s.N); err != nil {
			return Spec{}, err
		}
	case RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
		if err := required("p"); err != nil {
			return Spec{}, err
		}
		if _, err := r.Float("p", &s.P); err != nil {
			return Spec{}, err
		}
	}
	if err := s.Validate(); err != nil {
		return Spec{}, err
	}
	if u := r.Unused(); len(u) > 0 {
		return Spec{}, status.Errorf(status.UnaccessedDictionaryEntry, "conn_spec (rule %s): unaccessed elements in dictionary: %s; rule %s accepts %s", rule, strings.Join(u, ", "), rule, acceptedKeys(rule))
	}
	return s, nil
}

// Validate checks the spec on its own (without population sizes); see ParseSpec for the
// errors.
func (s Spec) Validate() error {
	if !isRule(s.Rule) {
		return ruleError(s.Rule)
	}
	switch s.Rule {
	case RuleFixedIndegree:
		if s.Indegree < 0 {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_indegree): indegree cannot be less than zero, got %d; accepted: an integer >= 0", s.Indegree)
		}
	case RuleFixedOutdegree:
		if s.Outdegree < 0 {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_outdegree): outdegree cannot be less than zero, got %d; accepted: an integer >= 0", s.Outdegree)
		}
	case RuleFixedTotalNumber:
		if s.N < 0 {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_total_number): the total number of connections N cannot be negative, got %d; accepted: an integer >= 0", s.N)
		}
		if !s.AllowMultapses {
			return status.Errorf(status.NotImplemented, "conn_spec (rule fixed_total_number): allow_multapses false is not supported (as in NEST); accepted: allow_multapses true")
		}
	case RulePairwiseBernoulli:
		if !(s.P >= 0 && s.P <= 1) {
			return status.Errorf(status.BadProperty, "conn_spec (rule pairwise_bernoulli): connection probability 0 <= p <= 1 required, got p=%v", s.P)
		}
	case RuleSymmetricPairwiseBernoulli:
		switch {
		case !(s.P >= 0 && s.P < 1):
			return status.Errorf(status.BadProperty, "conn_spec (rule symmetric_pairwise_bernoulli): connection probability 0 <= p < 1 required, got p=%v", s.P)
		case !s.AllowMultapses:
			return status.Errorf(status.BadProperty, "conn_spec (rule symmetric_pairwise_bernoulli): multapses must be enabled; accepted: allow_multapses true")
		case s.AllowAutapses:
			return status.Errorf(status.BadProperty, "conn_spec (rule symmetric_pairwise_bernoulli): autapses must be disabled; accepted: allow_autapses false (the default true is not allowed)")
		case !s.MakeSymmetric:
			return status.Errorf(status.BadProperty, "conn_spec (rule symmetric_pairwise_bernoulli): symmetric connections must be enabled; accepted: make_symmetric true")
		}
	}
	if s.MakeSymmetric && s.Rule != RuleOneToOne && s.Rule != RuleSymmetricPairwiseBernoulli {
		return status.Errorf(status.NotImplemented, "conn_spec (rule %s): this connection rule does not support symmetric connections (make_symmetric true); accepted: make_symmetric false, or rule one_to_one", s.Rule)
	}
	return nil
}

// Check validates the spec against the population sizes, as NEST's builders do when they are
// constructed: one_to_one with unequal sizes is a DimensionMismatch; fixed_indegree with no
// sources, fixed_outdegree with no targets, a degree larger than the population it draws
// from without multapses, fixed_total_number with N > |pre|*|post| without multapses or with
// N > 0 and an empty population are BadProperty.
func (s Spec) Check(nSources, nTargets int) error {
	if err := s.Validate(); err != nil {
		return err
	}
	switch s.Rule {
	case RuleOneToOne:
		if nSources != nTargets {
			return status.Errorf(status.DimensionMismatch, "conn_spec (rule one_to_one): source and target populations must be of the same size, got %d sources and %d targets", nSources, nTargets)
		}
	case RuleFixedIndegree:
		if nSources == 0 {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_indegree): the source population must not be empty")
		}
		if !s.AllowMultapses && s.Indegree > int64(nSources) {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_indegree): indegree cannot be larger than the source population without multapses, got indegree=%d for %d sources; accepted: indegree <= %d or allow_multapses true", s.Indegree, nSources, nSources)
		}
	case RuleFixedOutdegree:
		if nTargets == 0 {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_outdegree): the target population must not be empty")
		}
		if !s.AllowMultapses && s.Outdegree > int64(nTargets) {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_outdegree): outdegree cannot be larger than the target population without multapses, got outdegree=%d for %d targets; accepted: outdegree <= %d or allow_multapses true", s.Outdegree, nTargets, nTargets)
		}
	case RuleFixedTotalNumber:
		if !s.AllowMultapses && float64(s.N) > float64(nSources)*float64(nTargets) {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_total_number): the total number of connections N=%d cannot exceed the product of the population sizes %d*%d without multapses", s.N, nSources, nTargets)
		}
		if s.N > 0 && (nSources == 0 || nTargets == 0) {
			return status.Errorf(status.BadProperty, "conn_spec (rule fixed_total_number): cannot create N=%d connections with %d sources and %d targets; both populations must be non-empty", s.N, nSources, nTargets)
		}
	}
	return nil
}

// ArrayLen returns how many entries an array-valued syn_spec parameter must have for this
// rule and these sizes, in NEST's order (see the package documentation): one_to_one n;
// all_to_all nTargets*nSources ([target][source]); fixed_indegree nTargets*indegree
// ([target][j]); fixed_outdegree nSources*outdegree ([source][j]); fixed_total_number N. The
// other rules take no arrays: -1.
func (s Spec) ArrayLen(nSources, nTargets int) int {
	switch s.Rule {
	case RuleOneToOne:
		return nSources
	case RuleAllToAll:
		return nTargets * nSources
	case RuleFixedIndegree:
		return nTargets * int(s.Indegree)
	case RuleFixedOutdegree:
		return nSources * int(s.Outdegree)
	case RuleFixedTotalNumber:
		return int(s.N)
	}
	return -1
}

// arrayShape returns the 2-D shape (rows, cols) NEST expects for the rule's arrays, or (0, 0)
// for rules that take 1-D arrays.
func (s Spec) arrayShape(nSources, nTargets int) (rows, cols int, what string) {
	switch s.Rule {
	case RuleAllToAll:
		return nTargets, nSources, "n_targets x n_sources"
	case RuleFixedIndegree:
		return nTargets, int(s.Indegree), "n_targets x indegree"
	case RuleFixedOutdegree:
		return nSources, int(s.Outdegree), "n_sources x outdegree"
	}
	return 0, 0, ""
}

// CheckValue checks a syn_spec parameter value against the rule and the population sizes:
// an array must have ArrayLen entries (DimensionMismatch otherwise; a 2-D array must have
// NEST's shape) and is a BadProperty for rules that take no arrays; a random value is
// NotImplemented with make_symmetric (NEST: symmetric connections require parameters that can
// be reset). key names the parameter in the message.
func (s Spec) CheckValue(key string, v Value, nSources, nTargets int) error {
	switch {
	case v.IsRandom() && s.MakeSymmetric:
		return status.Errorf(status.NotImplemented, "syn_spec %s: symmetric connections (rule %s, make_symmetric true) require parameters that can be reset; give a scalar or an array instead of %s", key, s.Rule, v.d)
	case v.IsArray():
		want := s.ArrayLen(nSources, nTargets)
		if want < 0 {
			return status.Errorf(status.BadProperty, "syn_spec %s: array parameters can only be used with the rules one_to_one, fixed_total_number (1-D) and all_to_all, fixed_indegree, fixed_outdegree (2-D), not with %s; give a scalar or a distribution", key, s.Rule)
		}
		rows, cols, what := s.arrayShape(nSources, nTargets)
		if r, c := v.Shape(); r > 0 {
			if what == "" {
				return status.Errorf(status.DimensionMismatch, "syn_spec %s: rule %s needs a 1-D array of %d values, got a %dx%d array", key, s.Rule, want, r, c)
			}
			if r != rows || c != cols {
				return status.Errorf(status.DimensionMismatch, "syn_spec %s: rule %s needs an array of dimension %dx%d (%s), got %dx%d", key, s.Rule, rows, cols, what, r, c)
			}
		}
		if v.Len() != want {
			if what != "" {
				return status.Errorf(status.DimensionMismatch, "syn_spec %s: rule %s needs an array of dimension %dx%d (%s) = %d values, got %d", key, s.Rule, rows, cols, what, want, v.Len())
			}
			return status.Errorf(status.DimensionMismatch, "syn_spec %s: rule %s needs an array of %d values (one per connection), got %d", key, s.Rule, want, v.Len())
		}
	}
	return nil
}

// Dict returns the spec as a conn_spec dictionary (rule, its parameter, and the three flags).
func (s Spec) Dict() status.Dict {
	d := status.Dict{"rule": s.Rule, "allow_autapses": s.AllowAutapses,
		"allow_multapses": s.AllowMultapses, "make_symmetric": s.MakeSymmetric}
	switch s.Rule {
	case RuleFixedIndegree:
		d["indegree"] = s.Indegree
	case RuleFixedOutdegree:
		d["outdegree"] = s.Outdegree
	case RuleFixedTotalNumber:
		d["N"] = s.N
	case RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
		d["p"] = s.P
	}
	return d
}

// String formats the spec, e.g. "fixed_indegree(indegree=10, allow_autapses=false)"; flags
// are shown when they differ from NEST's defaults.
func (s Spec) String() string {
	var parts []string
	switch s.Rule {
	case RuleFixedIndegree:
		parts = append(parts, fmt.Sprintf("indegree=%d", s.Indegree))
	case RuleFixedOutdegree:
		parts = append(parts, fmt.Sprintf("outdegree=%d", s.Outdegree))
	case RuleFixedTotalNumber:
		parts = append(parts, fmt.Sprintf("N=%d", s.N))
	case RulePairwiseBernoulli, RuleSymmetricPairwiseBernoulli:
		if math.IsNaN(s.P) {
			parts = append(parts, "p=NaN")
		} else {
			parts = append(parts, "p="+fmtNum(s.P))
		}
	}
	if !s.AllowAutapses {
		parts = append(parts, "allow_autapses=false")
	}
	if !s.AllowMultapses {
		parts = append(parts, "allow_multapses=false")
	}
	if s.MakeSymmetric {
		parts = append(parts, "make_symmetric=true")
	}
	return s.Rule + "(" + strings.Join(parts, ", ") + ")"
}
