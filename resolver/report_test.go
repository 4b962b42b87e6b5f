package resolver

import (
	"context"
	"errors"
	"testing"
	"time"
)

// reportCase is one resolution whose outcome is asserted: the versions
// chosen (want) or the exact explanation (wantErr).
type reportCase struct {
	name, index, reqs, constraints string
	opts                           Options
	want, wantErr                  string
}

// pubExamples are the six worked examples of Dart pub's doc/solver.md (also
// pubgrub-rs's tests/examples.rs), with pub's caret ranges written as PEP
// 440 specifiers (^1.0.0 is >=1.0.0,<2.0.0). The explanations match pub's
// wording but for the differences listed on reporter: root requirements
// keep their file:line ("requirements.txt:1 requires foo" for "root depends
// on foo", so two of them are not merged into "depends on both"), "cannot
// be used" for "is forbidden", line numbers after the sentence, and a
// project with one release named by it ("foo==1.0.0" for "every version of
// foo"; in the branching example pub's package lister widens foo 1.0.0 to
// "foo <1.1.0", its range up to the next release with other dependencies,
// where we name the release).
var pubExamples = []reportCase{
	{name: "no conflicts", index: `
foo 1.0.0: bar>=1.0.0,<2.0.0
bar 1.0.0:
bar 2.0.0:`, reqs: "foo>=1.0.0,<2.0.0", want: "bar==1.0.0 foo==1.0.0"},
	{name: "avoiding conflict during decision making", index: `
foo 1.0.0:
foo 1.1.0: bar>=2.0.0,<3.0.0
bar 1.0.0:
bar 1.1.0:
bar 2.0.0:`, reqs: "foo>=1.0.0,<2.0.0\nbar>=1.0.0,<2.0.0", want: "bar==1.1.0 foo==1.0.0"},
	{name: "performing conflict resolution", index: `
foo 1.0.0:
foo 2.0.0: bar>=1.0.0,<2.0.0
bar 1.0.0: foo>=1.0.0,<2.0.0`, reqs: "foo>=1.0.0", want: "foo==1.0.0"},
	{name: "conflict resolution with a partial satisfier", index: `
foo 1.0.0:
foo 1.1.0: left>=1.0.0,<2.0.0 | right>=1.0.0,<2.0.0
left 1.0.0: shared>=1.0.0
right 1.0.0: shared<2.0.0
shared 1.0.0: target>=1.0.0,<2.0.0
shared 2.0.0:
target 1.0.0:
target 2.0.0:`, reqs: "foo>=1.0.0,<2.0.0\ntarget>=2.0.0,<3.0.0", want: "foo==1.0.0 target==2.0.0"},
	{name: "linear error reporting", index: `
foo 1.0.0: bar>=2.0.0,<3.0.0
bar 2.0.0: baz>=3.0.0,<4.0.0
baz 1.0.0:
baz 3.0.0:`, reqs: "foo>=1.0.0,<2.0.0\nbaz>=1.0.0,<2.0.0",
		// pub: Because every version of foo depends on bar ^2.0.0 which
		// depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.
		// So, because root depends on both baz ^1.0.0 and foo ^1.0.0,
		// version solving failed.
		wantErr: "Because foo==1.0.0 depends on bar>=2.0.0,<3.0.0 which depends on baz>=3.0.0,<4.0.0, foo==1.0.0 requires baz>=3.0.0,<4.0.0.\n" +
			"So, because requirements.txt:2 requires baz>=1.0.0,<2.0.0 and requirements.txt:1 requires foo>=1.0.0,<2.0.0, version solving failed."},
	{name: "branching error reporting", index: `
foo 1.0.0: a>=1.0.0,<2.0.0 | b>=1.0.0,<2.0.0
foo 1.1.0: x>=1.0.0,<2.0.0 | y>=1.0.0,<2.0.0
a 1.0.0: b>=2.0.0,<3.0.0
b 1.0.0:
b 2.0.0:
x 1.0.0: y>=2.0.0,<3.0.0
y 1.0.0:
y 2.0.0:`, reqs: "foo>=1.0.0,<2.0.0",
		// pub: Because foo <1.1.0 depends on a ^1.0.0 which depends on b
		// ^2.0.0, foo <1.1.0 requires b ^2.0.0.
		// So, because foo <1.1.0 depends on b ^1.0.0, foo <1.1.0 is
		// forbidden. (1)
		//
		// Because foo >=1.1.0 depends on x ^1.0.0 which depends on y
		// ^2.0.0, foo >=1.1.0 requires y ^2.0.0.
		// And because foo >=1.1.0 depends on y ^1.0.0, foo >=1.1.0 is
		// forbidden.
		// And because foo <1.1.0 is forbidden (1), foo is forbidden.
		// So, because root depends on foo ^1.0.0, version solving failed.
		wantErr: "Because foo==1.0.0 depends on a>=1.0.0,<2.0.0 which depends on b>=2.0.0,<3.0.0, foo==1.0.0 requires b>=2.0.0,<3.0.0.\n" +
			"So, because foo==1.0.0 depends on b>=1.0.0,<2.0.0, foo==1.0.0 cannot be used. (1)\n" +
			"\n" +
			"Because foo==1.1.0 depends on x>=1.0.0,<2.0.0 which depends on y>=2.0.0,<3.0.0, foo==1.1.0 requires y>=2.0.0,<3.0.0.\n" +
			"And because foo==1.1.0 depends on y>=1.0.0,<2.0.0, foo==1.1.0 cannot be used.\n" +
			"And because foo==1.0.0 cannot be used (1), foo cannot be used.\n" +
			"So, because requirements.txt:1 requires foo>=1.0.0,<2.0.0, version solving failed."},
}

// reportCases are failures specific to Python packaging and to how
// explanations are worded.
var reportCases = []reportCase{
	{name: "a requirement no version matches is the whole story", index: `
requests 2.31.0: urllib3>=1.21.1,<3
requests 2.32.0 yanked: urllib3>=1.21.1,<3
requests 2.32.3: urllib3>=1.21.1,<3
urllib3 2.2.1:
urllib3 2.2.2:`, reqs: "requests>=2.32\nurllib3<2",
		wantErr: "Because no version of urllib3 matches <2 (available: 2.2.1, 2.2.2) and requirements.txt:2 requires urllib3<2, version solving failed."},
	{name: "a long list of versions keeps the oldest and the newest", index: `
jinja2 2.7:
jinja2 2.8:
jinja2 2.9:
jinja2 2.10:
jinja2 2.11.0:
jinja2 2.11.2:
jinja2 3.0.0a1:`, reqs: "jinja2<2",
		wantErr: "Because no version of jinja2 matches <2 (available: 2.7, …, 2.9, 2.10, 2.11.0, 2.11.2, 3.0.0a1) and requirements.txt:1 requires jinja2<2, version solving failed."},
	{name: "a dependency no version matches", index: `
a 1.0: b>=5
b 1.0:`, reqs: "a",
		wantErr: "Because no version of b matches >=5 (available: 1.0) and a==1.0 depends on b>=5, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "a dependency shared by the usable versions reads as one", index: `
requests 2.31.0: urllib3>=1.21.1,<3
requests 2.32.0 yanked: urllib3>=1.21.1,<3
requests 2.32.3: urllib3<3,>=1.21.1
urllib3 1.20:
urllib3 2.2.2:`, reqs: "requests>=2.32\nurllib3==1.20",
		wantErr: "Because requests>=2.32 depends on urllib3>=1.21.1,<3 and requirements.txt:2 requires urllib3==1.20, requests>=2.32 cannot be used.\n" +
			"So, because requirements.txt:1 requires requests>=2.32, version solving failed.\n" +
			"\n" +
			"hint: requests 2.32.0 is yanked; only an exact pin (requests==2.32.0) selects it"},
	{name: "requires-python of the only release", index: `
foo 1.0 rp=>=3.8:
foo 2.0 rp=>=3.14:`, reqs: "foo>=2", opts: Options{Python: "3.13.3"},
		wantErr: "Because the target Python 3.13.3 does not satisfy requires-python >=3.14 of foo 2.0 and requirements.txt:1 requires foo>=2, version solving failed."},
	{name: "requires-python read from the metadata", index: `
foo 2.0 mrp=>=3.14:`, reqs: "foo", opts: Options{Python: "3.13.3"},
		wantErr: "Because the target Python 3.13.3 does not satisfy requires-python >=3.14 of foo 2.0 and requirements.txt:1 requires foo, version solving failed."},
	{name: "requires-python of several releases, and a yanked one", index: `
a 1.0 rp=>=3.13:
a 1.1 rp=>=3.13:
a 2.0 yanked:`, reqs: "a>=1",
		wantErr: "Because the target Python 3.12.12 does not satisfy requires-python >=3.13 of a 1.0 and 1.1, a==2.0 is yanked (reason: broken) and requirements.txt:1 requires a>=1, version solving failed.\n" +
			"\n" +
			"hint: a 2.0 is yanked; only an exact pin (a==2.0) selects it"},
	{name: "a dependency on a project whose releases need another Python", index: `
app 1.0: lib>=1
lib 1.0 rp=>=3.13:
lib 1.1 rp=>=3.13:
lib 1.2 rp=>=3.13:
lib 1.3 rp=>=3.13:`, reqs: "app",
		wantErr: "Because the target Python 3.12.12 does not satisfy requires-python >=3.13 of every version of lib and app==1.0 depends on lib>=1, app==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires app, version solving failed."},
	{name: "only yanked releases", index: `
a 1.0 yanked:
a 1.1 yanked:`, reqs: "a",
		wantErr: "Because every version of a is yanked (reason: broken) and requirements.txt:1 requires a, version solving failed.\n" +
			"\n" +
			"hint: a 1.0 and 1.1 are yanked; only an exact pin (such as a==1.1) selects one"},
	{name: "a yanked release pinned exactly is used", index: `
a 1.0:
a 1.1 yanked:`, reqs: "a==1.1", want: "a==1.1"},
	{name: "only pre-releases", index: `
a 2.0b1:
a 2.0rc1:`, reqs: "a==2.0",
		wantErr: "Because no version of a matches ==2.0 (available: 2.0b1, 2.0rc1) and requirements.txt:1 requires a==2.0, version solving failed.\n" +
			"\n" +
			"hint: a publishes only pre-releases (newest 2.0rc1); a specifier must admit one, e.g. a>=2.0rc1"},
	{name: "only pre-releases, none excluded", index: `
a 2.0b1:
a 2.0rc1:`, reqs: "a>=1", want: "a==2.0rc1"},
	{name: "two requirements of a package", index: `
a 1.0: c>=2 | d>=1
c 1.0:
c 2.0:
d 1.0: c<2`, reqs: "a",
		wantErr: "Because d==1.0 depends on c<2 and a==1.0 depends on c>=2, a==1.0 is incompatible with d==1.0.\n" +
			"So, because requirements.txt:1 requires a which depends on d>=1, version solving failed."},
	{name: "some releases need another Python", index: `
a 1.0: lib>=1
lib 0.9:
lib 1.0 rp=>=3.13:
lib 1.1 rp=>=3.13:
lib 1.2 rp=>=3.13:
lib 2.0 rp=>=3.14:`, reqs: "a", opts: Options{Python: "3.12"},
		wantErr: "Because the target Python 3.12.12 does not satisfy the requires-python of lib 1.0, 1.1 and 1.2 (>=3.13) or of lib 2.0 (>=3.14) and a==1.0 depends on lib>=1, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "a release depending on another release of itself", index: `
a 1.0:
a 2.0: a==1.0`, reqs: "a>=2",
		wantErr: "Because a==2.0 depends on a==1.0 and requirements.txt:1 requires a>=2, version solving failed."},
	{name: "versions with a gap are written with !=", index: `
a 1.0: b>=2
a 2.0:
a 3.0: b>=2
a 4.0: c
b 1.0:
b 2.0:
c 1.0 yanked:`, reqs: "a<4\nb<2\na!=2.0",
		wantErr: "Because a<4.0,!=2.0 depends on b>=2 and requirements.txt:3 requires a!=2.0, a==4.0 or b>=2 is required.\n" +
			"So, because requirements.txt:2 requires b<2 and requirements.txt:1 requires a<4, version solving failed."},
	{name: "a step that reads like its cause is folded into it", index: `
a 1.0: b
a 2.0: b<4.0
a 4.0: b
b 4.0 yanked:`, reqs: "a",
		wantErr: "Because a!=2.0 depends on b, a==2.0 depends on b<4.0 and no version of b matches <4.0 (available: 4.0), every version of a requires b==4.0.\n" +
			"So, because b==4.0 is yanked (reason: broken) and requirements.txt:1 requires a, version solving failed.\n" +
			"\n" +
			"hint: b 4.0 is yanked; only an exact pin (b==4.0) selects it"},
	{name: "a dependency on a project the index does not have is avoided", index: `
a 1.0:
a 2.0: nope`, reqs: "a", want: "a==1.0"},
	{name: "a dependency on a project the index does not have", index: `
a 1.0: nope>=1`, reqs: "a",
		wantErr: "Because nope is not on mem and a==1.0 depends on nope>=1, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
	{name: "a constraint", index: `
a 1.0: c>=2
c 1.0:
c 2.0:`, reqs: "a", constraints: "c<2",
		wantErr: "Because a==1.0 depends on c>=2 and constraints.txt:1 constrains c<2, a==1.0 cannot be used.\n" +
			"So, because requirements.txt:1 requires a, version solving failed."},
}

func TestPubExamples(t *testing.T) { runReportCases(t, pubExamples) }

func TestReportCases(t *testing.T) { runReportCases(t, reportCases) }

func runReportCases(t *testing.T, cases []reportCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Resolve(context.Background(), newMemIndex(t, tc.index), rootFile(t, tc.reqs, tc.constraints), tc.opts)
			if tc.wantErr != "" {
				var ns *NoSolutionError
				if !errors.As(err, &ns) {
					t.Fatalf("got %v, %v; want a NoSolutionError", res, err)
				}
				if err.Error() != tc.wantErr {
					t.Errorf("explanation:\n%s\nwant:\n%s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestExplanationDeterministic resolves each failing case again with the
// provider's answers arriving in varying order (speculation then runs
// ahead differently): the explanation must not change.
func TestExplanationDeterministic(t *testing.T) {
	for _, tc := range append(pubExamples, reportCases...) {
		if tc.wantErr == "" {
			continue
		}
		for round := 0; round < 3; round++ {
			idx := newMemIndex(t, tc.index)
			idx.delay = func(call string) time.Duration {
				return time.Duration((len(call)*7+round*13)%5) * 200 * time.Microsecond
			}
			_, err := Resolve(context.Background(), idx, rootFile(t, tc.reqs, tc.constraints), tc.opts)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("%s, round %d:\n%v\nwant:\n%s", tc.name, round, err, tc.wantErr)
			}
		}
	}
}
