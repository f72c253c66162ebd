package connect

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/nest-mpi/nest-mpi/models/status"
)

type dict = status.Dict

func TestParseSpecValid(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want Spec
	}{
		{"nil is all_to_all", nil, AllToAll()},
		{"rule name", "one_to_one", OneToOne()},
		{"rule name all_to_all", "all_to_all", AllToAll()},
		{"dict one_to_one", dict{"rule": "one_to_one"}, OneToOne()},
		{"fixed_indegree", dict{"rule": "fixed_indegree", "indegree": 10}, FixedIndegree(10)},
		{"indegree as integral float (JSON)", dict{"rule": "fixed_indegree", "indegree": 10.0}, FixedIndegree(10)},
		{"indegree as json.Number", dict{"rule": "fixed_indegree", "indegree": json.Number("7")}, FixedIndegree(7)},
		{"fixed_indegree flags", dict{"rule": "fixed_indegree", "indegree": int64(3), "allow_autapses": false, "allow_multapses": false},
			FixedIndegree(3).WithAutapses(false).WithMultapses(false)},
		{"NEST 2 autapses/multapses", dict{"rule": "fixed_outdegree", "outdegree": 4, "autapses": false, "multapses": false},
			FixedOutdegree(4).WithAutapses(false).WithMultapses(false)},
		{"old and new name agree", dict{"rule": "all_to_all", "autapses": false, "allow_autapses": false}, AllToAll().WithAutapses(false)},
		{"fixed_total_number", dict{"rule": "fixed_total_number", "N": 100}, FixedTotalNumber(100)},
		{"zero degree", dict{"rule": "fixed_outdegree", "outdegree": 0}, FixedOutdegree(0)},
		{"pairwise_bernoulli", dict{"rule": "pairwise_bernoulli", "p": 0.1}, PairwiseBernoulli(0.1)},
		{"p as integer", dict{"rule": "pairwise_bernoulli", "p": 1}, PairwiseBernoulli(1)},
		{"symmetric", dict{"rule": "symmetric_pairwise_bernoulli", "p": 0.5, "allow_autapses": false, "allow_multapses": true, "make_symmetric": true},
			SymmetricPairwiseBernoulli(0.5)},
		{"one_to_one make_symmetric", dict{"rule": "one_to_one", "make_symmetric": true}, OneToOne().WithSymmetric(true)},
		{"Spec value", FixedIndegree(5), FixedIndegree(5)},
	}
	for _, tc := range tests {
		got, err := ParseSpec(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		// The dictionary form reads back to the same spec.
		back, err := ParseSpec(got.Dict())
		if err != nil || back != got {
			t.Errorf("%s: Dict round trip gave %+v, %v", tc.name, back, err)
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	sym := func(extra dict) dict {
		d := dict{"rule": "symmetric_pairwise_bernoulli", "p": 0.5, "allow_autapses": false, "allow_multapses": true, "make_symmetric": true}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	tests := []struct {
		name string
		in   any
		kind status.Kind
		frag []string
	}{
		{"unknown rule name", "one_to_many", status.BadProperty, []string{"one_to_many", "fixed_indegree", "pairwise_bernoulli"}},
		{"unknown rule in dict", dict{"rule": "random"}, status.BadProperty, []string{"random", "known rules", "all_to_all"}},
		{"NEST rule not implemented", "pairwise_poisson", status.NotImplemented, []string{"pairwise_poisson"}},
		{"rule missing", dict{"indegree": 3}, status.BadProperty, []string{"rule"}},
		{"rule not a string", dict{"rule": 3}, status.TypeMismatch, []string{"rule"}},
		{"conn_spec of wrong type", 42, status.TypeMismatch, []string{"conn_spec", "rule name"}},
		{"rule name needing a parameter", "fixed_indegree", status.BadProperty, []string{"fixed_indegree", "indegree"}},
		{"indegree missing", dict{"rule": "fixed_indegree"}, status.BadProperty, []string{"fixed_indegree", "indegree"}},
		{"outdegree missing", dict{"rule": "fixed_outdegree", "indegree": 3}, status.BadProperty, []string{"fixed_outdegree", "outdegree"}},
		{"N missing", dict{"rule": "fixed_total_number"}, status.BadProperty, []string{"fixed_total_number", "N"}},
		{"p missing", dict{"rule": "pairwise_bernoulli"}, status.BadProperty, []string{"pairwise_bernoulli", "p"}},
		{"negative indegree", dict{"rule": "fixed_indegree", "indegree": -1}, status.BadProperty, []string{"fixed_indegree", "indegree", ">= 0"}},
		{"negative outdegree", dict{"rule": "fixed_outdegree", "outdegree": -2}, status.BadProperty, []string{"fixed_outdegree", "outdegree"}},
		{"negative N", dict{"rule": "fixed_total_number", "N": -5}, status.BadProperty, []string{"fixed_total_number", "N"}},
		{"float indegree", dict{"rule": "fixed_indegree", "indegree": 2.5}, status.TypeMismatch, []string{"indegree", "integer"}},
		{"string indegree", dict{"rule": "fixed_indegree", "indegree": "10"}, status.TypeMismatch, []string{"indegree"}},
		{"random indegree", dict{"rule": "fixed_indegree", "indegree": dict{"distribution": "uniform_int", "max": 5}}, status.NotImplemented, []string{"indegree"}},
		{"p above 1", dict{"rule": "pairwise_bernoulli", "p": 1.5}, status.BadProperty, []string{"pairwise_bernoulli", "0 <= p <= 1", "1.5"}},
		{"p below 0", dict{"rule": "pairwise_bernoulli", "p": -0.1}, status.BadProperty, []string{"p"}},
		{"p NaN", dict{"rule": "pairwise_bernoulli", "p": math.NaN()}, status.BadProperty, []string{"p"}},
		{"p string", dict{"rule": "pairwise_bernoulli", "p": "0.1"}, status.TypeMismatch, []string{"p"}},
		{"unknown key", dict{"rule": "all_to_all", "weight": 1.0}, status.UnaccessedDictionaryEntry, []string{"weight", "all_to_all", "allow_autapses"}},
		{"key of another rule", dict{"rule": "pairwise_bernoulli", "p": 0.1, "indegree": 3}, status.UnaccessedDictionaryEntry, []string{"indegree", "pairwise_bernoulli"}},
		{"flag not a bool", dict{"rule": "all_to_all", "allow_autapses": 1}, status.TypeMismatch, []string{"allow_autapses", "boolean"}},
		{"old flag not a bool", dict{"rule": "all_to_all", "multapses": "no"}, status.TypeMismatch, []string{"multapses"}},
		{"old and new name disagree", dict{"rule": "all_to_all", "autapses": true, "allow_autapses": false}, status.BadProperty, []string{"autapses", "allow_autapses"}},
		{"fixed_total_number without multapses", dict{"rule": "fixed_total_number", "N": 10, "allow_multapses": false}, status.NotImplemented, []string{"fixed_total_number", "allow_multapses"}},
		{"make_symmetric with all_to_all", dict{"rule": "all_to_all", "make_symmetric": true}, status.NotImplemented, []string{"all_to_all", "symmetric"}},
		{"make_symmetric with fixed_indegree", dict{"rule": "fixed_indegree", "indegree": 2, "make_symmetric": true}, status.NotImplemented, []string{"fixed_indegree", "make_symmetric"}},
		{"spatial mask", dict{"rule": "pairwise_bernoulli", "p": 0.5, "mask": dict{"circular": dict{"radius": 1.0}}}, status.NotImplemented, []string{"mask"}},
		{"symmetric p = 1", sym(dict{"p": 1.0}), status.BadProperty, []string{"symmetric_pairwise_bernoulli", "p < 1"}},
		{"symmetric without multapses", sym(dict{"allow_multapses": false}), status.BadProperty, []string{"symmetric_pairwise_bernoulli", "allow_multapses true"}},
		{"symmetric with autapses", sym(dict{"allow_autapses": true}), status.BadProperty, []string{"symmetric_pairwise_bernoulli", "allow_autapses false"}},
		{"symmetric autapses by default", dict{"rule": "symmetric_pairwise_bernoulli", "p": 0.5, "make_symmetric": true}, status.BadProperty, []string{"allow_autapses false"}},
		{"symmetric without make_symmetric", sym(dict{"make_symmetric": false}), status.BadProperty, []string{"symmetric_pairwise_bernoulli", "make_symmetric true"}},
		{"invalid Spec value", Spec{Rule: "fixed_indegree", Indegree: -3}, status.BadProperty, []string{"indegree"}},
		{"zero Spec", Spec{}, status.BadProperty, []string{"known rules"}},
	}
	for _, tc := range tests {
		_, err := ParseSpec(tc.in)
		wantErr(t, tc.name, err, tc.kind, tc.frag...)
	}
}

func TestSpecCheck(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		ns, nt int
		kind   status.Kind // "" = no error
		frag   []string
	}{
		{"one_to_one equal", OneToOne(), 5, 5, "", nil},
		{"one_to_one unequal", OneToOne(), 5, 4, status.DimensionMismatch, []string{"one_to_one", "same size", "5", "4"}},
		{"all_to_all any sizes", AllToAll(), 0, 7, "", nil},
		{"indegree = n without multapses", FixedIndegree(5).WithMultapses(false), 5, 3, "", nil},
		{"indegree > n without multapses", FixedIndegree(6).WithMultapses(false), 5, 3, status.BadProperty, []string{"fixed_indegree", "indegree", "allow_multapses"}},
		{"indegree > n with multapses", FixedIndegree(6), 5, 3, "", nil},
		{"indegree with no sources", FixedIndegree(1), 0, 3, status.BadProperty, []string{"fixed_indegree", "source population"}},
		{"outdegree > n without multapses", FixedOutdegree(4).WithMultapses(false), 3, 3, status.BadProperty, []string{"fixed_outdegree", "outdegree"}},
		{"outdegree with no targets", FixedOutdegree(1), 3, 0, status.BadProperty, []string{"fixed_outdegree", "target population"}},
		{"total number with empty population", FixedTotalNumber(3), 0, 4, status.BadProperty, []string{"fixed_total_number", "N=3"}},
		{"total number zero with empty population", FixedTotalNumber(0), 0, 4, "", nil},
		{"total number more than pairs (multapses)", FixedTotalNumber(100), 3, 3, "", nil},
		{"invalid spec", PairwiseBernoulli(2), 3, 3, status.BadProperty, []string{"p"}},
	}
	for _, tc := range tests {
		err := tc.spec.Check(tc.ns, tc.nt)
		if tc.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantErr(t, tc.name, err, tc.kind, tc.frag...)
	}
}

func TestArrayLenAndCheckValue(t *testing.T) {
	lens := []struct {
		spec Spec
		want int
	}{
		{OneToOne(), 4}, {AllToAll(), 12}, {FixedIndegree(2), 6}, {FixedOutdegree(5), 20},
		{FixedTotalNumber(9), 9}, {PairwiseBernoulli(0.5), -1}, {SymmetricPairwiseBernoulli(0.5), -1},
	}
	for _, tc := range lens {
		if got := tc.spec.ArrayLen(4, 3); got != tc.want {
			t.Errorf("%v.ArrayLen(4, 3) = %d, want %d", tc.spec, got, tc.want)
		}
	}

	flat := func(n int) Value { return Array(make([]float64, n)) }
	grid := func(r, c int) Value {
		rows := make([]any, r)
		for i := range rows {
			rows[i] = make([]float64, c)
		}
		v, err := ParseValue(rows)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ok := []struct {
		spec Spec
		v    Value
	}{
		{OneToOne(), flat(4)}, {AllToAll(), flat(12)}, {AllToAll(), grid(3, 4)},
		{FixedIndegree(2), grid(3, 2)}, {FixedOutdegree(5), grid(4, 5)}, {FixedTotalNumber(9), flat(9)},
		{PairwiseBernoulli(0.5), Scalar(1)}, {PairwiseBernoulli(0.5), Random(Normal(0, 1))},
		{OneToOne().WithSymmetric(true), flat(4)},
	}
	for _, tc := range ok {
		if err := tc.spec.CheckValue("weight", tc.v, 4, 3); err != nil {
			t.Errorf("%v with %v: %v", tc.spec, tc.v, err)
		}
	}
	bad := []struct {
		name string
		spec Spec
		v    Value
		kind status.Kind
		frag []string
	}{
		{"wrong length", OneToOne(), flat(3), status.DimensionMismatch, []string{"weight", "one_to_one", "4"}},
		{"wrong 2-D shape", AllToAll(), grid(4, 3), status.DimensionMismatch, []string{"weight", "3x4", "n_targets x n_sources"}},
		{"wrong total", FixedIndegree(2), flat(5), status.DimensionMismatch, []string{"weight", "3x2"}},
		{"2-D for one_to_one", OneToOne(), grid(2, 2), status.DimensionMismatch, []string{"1-D"}},
		{"array with pairwise_bernoulli", PairwiseBernoulli(0.5), flat(12), status.BadProperty, []string{"weight", "pairwise_bernoulli"}},
		{"random with make_symmetric", OneToOne().WithSymmetric(true), Random(Uniform(0, 1)), status.NotImplemented, []string{"weight", "reset"}},
		{"random with symmetric rule", SymmetricPairwiseBernoulli(0.5), Random(Uniform(0, 1)), status.NotImplemented, []string{"reset"}},
	}
	for _, tc := range bad {
		wantErr(t, tc.name, tc.spec.CheckValue("weight", tc.v, 4, 3), tc.kind, tc.frag...)
	}
}

func TestSpecString(t *testing.T) {
	tests := []struct {
		spec Spec
		want string
	}{
		{AllToAll(), "all_to_all()"},
		{FixedIndegree(10).WithAutapses(false), "fixed_indegree(indegree=10, allow_autapses=false)"},
		{PairwiseBernoulli(0.25), "pairwise_bernoulli(p=0.25)"},
		{SymmetricPairwiseBernoulli(0.5), "symmetric_pairwise_bernoulli(p=0.5, allow_autapses=false, make_symmetric=true)"},
	}
	for _, tc := range tests {
		if got := tc.spec.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
