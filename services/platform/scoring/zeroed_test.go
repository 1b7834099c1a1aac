package scoring

import "testing"

// TestZeroedLeaves checks that a zeroed leaf scores 0 whatever its reviewers entered, keeps
// their inputs and aggregate in the explanation with the reason, needs no input, and moves
// the base, its group and the total by exactly its points.
func TestZeroedLeaves(t *testing.T) {
	std := golden(Mean)
	full, err := Evaluate(std, &Application{Inputs: goldenInputs()})
	if err != nil {
		t.Fatal(err)
	}
	was := leaf(full.Explanation, "1.1").Points
	inputs := goldenInputs()
	delete(inputs, "2.1") // zeroed and not entered: not missing
	got, err := Evaluate(std, &Application{Inputs: inputs, Zeroed: map[string]string{
		"1.1": "returned more often than the campaign allows", "2.1": "vetoed by a spot check"}})
	if err != nil {
		t.Fatal(err)
	}
	n := leaf(got.Explanation, "1.1")
	if n.Points != 0 || n.Raw != was || n.Zeroed == "" || len(n.Inputs) != 3 {
		t.Errorf("zeroed 1.1 = points %s raw %s zeroed %q inputs %d; want 0, %s, a reason, 3", n.Points, n.Raw, n.Zeroed, len(n.Inputs), was)
	}
	if got.Incomplete {
		t.Errorf("a zeroed leaf without input made the result incomplete: %v", got.Missing)
	}
	want2 := full.Categories[1] - leaf(full.Explanation, "2.1").Points
	if got.Categories[1] != want2 {
		t.Errorf("category 2 = %s, want %s", got.Categories[1], want2)
	}
	if wantBase := full.Base - was - leaf(full.Explanation, "2.1").Points; got.Base != wantBase && full.Categories[0] <= 1000 {
		t.Errorf("base = %s, want %s", got.Base, wantBase)
	}
}
