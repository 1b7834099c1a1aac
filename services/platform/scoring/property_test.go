package scoring

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// genStandard builds a random standard: up to three levels of groups, with leaves of every
// kind at every depth, the top level included.
func genStandard(r *rand.Rand) *Standard {
	std := &Standard{Aggregation: Aggregation(r.IntN(3)), BonusCap: Points(r.IntN(6) * 100)}
	for c := range 1 + r.IntN(4) {
		std.Categories = append(std.Categories, genNode(r, fmt.Sprint(c+1), 0))
	}
	return std
}

// genNode is a group (two in three at the top level, one in three below) or a leaf.
func genNode(r *rand.Rand, code string, depth int) *Indicator {
	if depth == 3 || r.IntN(3) >= 2-min(depth, 1) {
		return genLeaf(r, code)
	}
	g := &Indicator{Code: code, Kind: KindGroup, Max: Points(r.IntN(30) * 100)}
	for l := range 1 + r.IntN(5) {
		g.Children = append(g.Children, genNode(r, fmt.Sprintf("%s.%d", code, l+1), depth+1))
	}
	return g
}

func genLeaf(r *rand.Rand, code string) *Indicator {
	ind := &Indicator{Code: code, Kind: Kind(1 + r.IntN(8)), Max: Points(1+r.IntN(20)) * 50}
	switch ind.Kind {
	case KindThreshold:
		ind.Target = Points(r.IntN(10000))
	case KindLinear:
		ind.Floor = Points(r.IntN(5000))
		ind.Target = ind.Floor + Points(1+r.IntN(5000))
		if ind.Floor%2 == 1 {
			// Lower is better (complaints): the target below the floor. Deciding by the
			// floor's parity draws no extra number, so the benchmark's standard stays the same.
			ind.Floor, ind.Target = ind.Target, ind.Floor
		}
	case KindChecklist:
		for i := range 1 + r.IntN(4) {
			ind.Items = append(ind.Items, ChecklistItem{Code: fmt.Sprint("i", i), Points: Points(r.IntN(8)) * 25})
		}
	case KindDeduction:
		ind.PerItem = Points(1+r.IntN(4)) * 25
	case KindVeto:
		ind.Max = 0
	}
	return ind
}

// genInput is a valid input for ind.
func genInput(r *rand.Rand, ind *Indicator, reviewer string) Input {
	in := Input{Reviewer: reviewer}
	switch ind.Kind {
	case KindPoints, KindBonus:
		in.Points = Points(r.IntN(int(ind.Max/50)+1)) * 50
	case KindGrade:
		in.Grade = []string{"A", "B", "C", "D"}[r.IntN(4)]
	case KindThreshold, KindLinear:
		in.Value = Points(r.IntN(11000))
	case KindChecklist:
		for _, it := range ind.Items {
			if r.IntN(2) == 0 {
				in.Ticked = append(in.Ticked, it.Code)
			}
		}
	case KindDeduction:
		in.Count = int64(r.IntN(5))
	case KindVeto:
		in.Veto = r.IntN(10) == 0
	}
	return in
}

func leaves(std *Standard) []*Indicator {
	var out []*Indicator
	var walk func(*Indicator)
	walk = func(i *Indicator) {
		if i.Kind == KindGroup {
			for _, c := range i.Children {
				walk(c)
			}
			return
		}
		out = append(out, i)
	}
	for _, c := range std.Categories {
		walk(c)
	}
	return out
}

// genApp gives most leaves an input from every reviewer, leaves one in ten without any (an
// incomplete result), confirms some vetoes and records a few negative-list entries.
func genApp(r *rand.Rand, std *Standard) *Application {
	app := &Application{Inputs: map[string][]Input{}, ConfirmedVetoes: map[string]bool{}}
	reviewers := 1 + r.IntN(5)
	for _, l := range leaves(std) {
		if r.IntN(10) == 0 {
			continue
		}
		for i := range reviewers {
			app.Inputs[l.Code] = append(app.Inputs[l.Code], genInput(r, l, fmt.Sprint("r", i)))
		}
		if l.Kind == KindVeto && r.IntN(4) == 0 {
			app.ConfirmedVetoes[l.Code] = true
		}
	}
	for i := range r.IntN(3) {
		app.Negative = append(app.Negative, NegativeEntry{
			Code: fmt.Sprint("N", i), Reason: "negative", Deduction: Points(r.IntN(5)) * 50, Veto: r.IntN(5) == 0,
		})
	}
	return app
}

// maxBase is the most base points ind can give.
func maxBase(ind *Indicator) Points {
	if ind.Kind != KindGroup {
		if ind.Kind.CountsInBase() {
			return ind.Max
		}
		return 0
	}
	var sum Points
	for _, c := range ind.Children {
		sum += maxBase(c)
	}
	if ind.Max > 0 {
		sum = min(sum, ind.Max)
	}
	return sum
}

func TestPropertyReviewerOrderNeverMatters(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		std := genStandard(r)
		app := genApp(r, std)
		want, err := Evaluate(std, app)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, ins := range app.Inputs {
			r.Shuffle(len(ins), func(i, j int) { ins[i], ins[j] = ins[j], ins[i] })
		}
		got, err := Evaluate(std, app)
		if err != nil || got.Total != want.Total || got.Base != want.Base || !slices.Equal(got.Categories, want.Categories) || got.Deductions != want.Deductions {
			t.Fatalf("seed %d: shuffled reviewers changed the result: %+v vs %+v", seed, got, want)
		}
	}
}

// raise returns a copy of in that a reviewer would call better, or false when it is
// already the best.
func raise(ind *Indicator, in Input) (Input, bool) {
	switch ind.Kind {
	case KindPoints, KindBonus:
		if in.Points+50 > ind.Max {
			return in, false
		}
		in.Points += 50
	case KindGrade:
		better := map[string]string{"B": "A", "C": "B", "D": "C"}[in.Grade]
		if better == "" {
			return in, false
		}
		in.Grade = better
	case KindThreshold, KindLinear:
		if ind.Kind == KindLinear && ind.Target < ind.Floor {
			if in.Value < 100 {
				return in, false
			}
			in.Value -= 100 // lower is better
			break
		}
		in.Value += 100
	case KindChecklist:
		for _, it := range ind.Items {
			if !slices.Contains(in.Ticked, it.Code) {
				in.Ticked = append(slices.Clone(in.Ticked), it.Code)
				return in, true
			}
		}
		return in, false
	case KindDeduction:
		if in.Count == 0 {
			return in, false
		}
		in.Count-- // fewer occurrences is better
	default:
		return in, false
	}
	return in, true
}

func TestPropertyRaisingAnInputNeverLowersTheTotal(t *testing.T) {
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 2))
		std := genStandard(r)
		app := genApp(r, std)
		before, err := Evaluate(std, app)
		if err != nil {
			t.Fatal(err)
		}
		ls := leaves(std)
		l := ls[r.IntN(len(ls))]
		ins := app.Inputs[l.Code]
		if len(ins) == 0 {
			continue
		}
		i := r.IntN(len(ins))
		up, ok := raise(l, ins[i])
		if !ok {
			continue
		}
		ins[i] = up
		after, err := Evaluate(std, app)
		if err != nil {
			t.Fatal(err)
		}
		if after.Total < before.Total {
			t.Fatalf("seed %d: raising %s (%s) for %s lowered the total %s → %s", seed, l.Code, l.Kind, ins[i].Reviewer, before.Total, after.Total)
		}
	}
}

func TestPropertyTotalWithinBounds(t *testing.T) {
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 3))
		std := genStandard(r)
		res, err := Evaluate(std, genApp(r, std))
		if err != nil {
			t.Fatal(err)
		}
		checkBounds(t, std, res)
	}
}

func checkBounds(t *testing.T, std *Standard, res *Result) {
	t.Helper()
	var limit Points
	for _, c := range std.Categories {
		limit += maxBase(c)
	}
	if res.Total < 0 || res.Total > limit+std.BonusCap || res.Bonus > std.BonusCap || res.Base > limit {
		t.Fatalf("total %s base %s bonus %s outside [0, %s + %s]", res.Total, res.Base, res.Bonus, limit, std.BonusCap)
	}
}

func TestPropertyCompareIsAStrictTotalOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	entries := make([]*Entry, 60)
	for i := range entries {
		// Few distinct values, so that ties go deep into the tie-breakers.
		entries[i] = &Entry{
			UnitID: fmt.Sprintf("u%03d", i), Total: Points(r.IntN(3)), Base: Points(r.IntN(3)),
			Categories:  []Points{Points(r.IntN(2)), Points(r.IntN(2))},
			FinalSubmit: time.Unix(int64(r.IntN(3)), 0),
		}
	}
	for _, a := range entries {
		if Compare(a, a) != 0 {
			t.Fatal("Compare(a, a) != 0")
		}
		for _, b := range entries {
			if a != b && (Compare(a, b) == 0 || sign(Compare(a, b)) != -sign(Compare(b, a))) {
				t.Fatalf("not antisymmetric: %+v %+v", a, b)
			}
			for _, c := range entries {
				if Compare(a, b) < 0 && Compare(b, c) < 0 && Compare(a, c) >= 0 {
					t.Fatalf("not transitive: %+v %+v %+v", a, b, c)
				}
			}
		}
	}
	// The same data in any order ranks the same.
	first := slices.Clone(entries)
	Rank(first)
	r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	Rank(entries)
	if !slices.Equal(first, entries) {
		t.Fatal("ranking depends on input order")
	}
}

func sign(x int) int { return min(max(x, -1), 1) }

// TestPropertyMatchesReference compares the engine with reference, a plain big.Rat
// reading of docs/scoring.md, on random standards with every kind at every depth.
func TestPropertyMatchesReference(t *testing.T) {
	for seed := range uint64(1000) {
		r := rand.New(rand.NewPCG(seed, 6))
		std := genStandard(r)
		app := genApp(r, std)
		got, err := Evaluate(std, app)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if diff := compareReference(got, reference(std, app)); diff != "" {
			t.Fatalf("seed %d: %s", seed, diff)
		}
	}
}

// FuzzEvaluate builds a standard and inputs, valid or not, from the fuzzer's bytes: the
// engine never panics, and every result it returns is within bounds and equals the
// reference computation.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("veto and deductions"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var seed [16]byte
		copy(seed[:], data)
		r := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
		std := genStandard(r)
		app := genApp(r, std)
		// Corrupt some inputs with the remaining bytes.
		for i, b := range data[min(len(data), 16):] {
			ls := leaves(std)
			l := ls[i%len(ls)]
			if b%7 == 5 {
				// Push a leaf's max toward the bound (the result must stay exact or be refused).
				l.Max = MaxPoints - Points(b)
				continue
			}
			ins := app.Inputs[l.Code]
			if len(ins) == 0 {
				continue
			}
			in := &ins[int(b)%len(ins)]
			switch b % 7 {
			case 0:
				in.Points = Points(int8(b)) * 37
			case 1:
				in.Grade = string(rune('A' + b%7))
			case 2:
				in.Value = Points(int8(b)) * 1000
			case 3:
				in.Count = int64(int8(b)) << (b % 60)
			case 4:
				in.Ticked = append(in.Ticked, fmt.Sprint("i", b%6))
			case 6:
				in.Value = MaxValue - Points(b)
			}
		}
		res, err := Evaluate(std, app)
		if err != nil {
			return
		}
		checkBounds(t, std, res)
		if diff := compareReference(res, reference(std, app)); diff != "" {
			t.Fatal(diff)
		}
	})
}

// BenchmarkEvaluate scores one application of 100 leaf indicators (all kinds, in 7
// categories) by 3 reviewers.
func BenchmarkEvaluate(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	std := &Standard{Aggregation: TrimmedMean, BonusCap: 500}
	for c := range 7 {
		cat := &Indicator{Code: fmt.Sprint(c + 1), Kind: KindGroup, Max: 2000}
		for l := range 15 {
			if c*15+l == 100 {
				break
			}
			cat.Children = append(cat.Children, genLeaf(r, fmt.Sprintf("%d.%d", c+1, l+1)))
		}
		std.Categories = append(std.Categories, cat)
	}
	app := &Application{Inputs: map[string][]Input{}}
	for _, l := range leaves(std) {
		for i := range 3 {
			app.Inputs[l.Code] = append(app.Inputs[l.Code], genInput(r, l, fmt.Sprint("r", i)))
		}
	}
	if n := len(leaves(std)); n != 100 {
		b.Fatalf("%d leaves", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(std, app); err != nil {
			b.Fatal(err)
		}
	}
}
