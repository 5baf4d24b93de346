// Records what BuildKit's own Go client sends of a local directory for each
// pattern set of llb/tests/golden/local_patterns.json, and writes the answers
// back into that file (`sent` of every case).
//
// This is a recording tool, not part of the product, and CI never runs it:
// the Rust test llb/tests/local_patterns.rs only reads the recorded file.
// Run it through record.sh beside it (which explains how).
//
// For every case it builds the fixture tree, solves
// `llb.Local("ctx", IncludePatterns(include), ExcludePatterns(ReadAll(ignore)))`
// on the daemon at $BUILDKIT_HOST with the client's own fsutil sender, exports
// the result with the `local` exporter and lists the exported tree.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/tonistiigi/fsutil"
)

type testCase struct {
	Name    string   `json:"name"`
	Ignore  *string  `json:"ignore,omitempty"`
	Include []string `json:"include,omitempty"`
	Sent    []string `json:"sent"`
}

type golden struct {
	Comment   string     `json:"comment"`
	BuildKit  string     `json:"buildkit"`
	Fixture   []string   `json:"fixture"`
	Cases     []testCase `json:"cases"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// makeFixture creates the tree: `d PATH` a directory, `f PATH` a file holding
// its path and a newline, `l PATH TARGET` a symlink.
func makeFixture(root string, lines []string) {
	for _, line := range lines {
		parts := strings.SplitN(line, " ", 3)
		p := filepath.Join(root, parts[1])
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		switch parts[0] {
		case "d":
			must(os.MkdirAll(p, 0o755))
		case "f":
			must(os.WriteFile(p, []byte(parts[1]+"\n"), 0o644))
		case "l":
			must(os.Symlink(parts[2], p))
		default:
			must(fmt.Errorf("bad fixture line %q", line))
		}
	}
}

// list gives `d PATH`, `f PATH` or `l PATH` for everything below root.
func list(root string) []string {
	out := []string{}
	must(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		kind := "f"
		if d.Type()&fs.ModeSymlink != 0 {
			kind = "l"
		} else if d.IsDir() {
			kind = "d"
		}
		out = append(out, kind+" "+filepath.ToSlash(rel))
		return nil
	}))
	sort.Strings(out)
	return out
}

func main() {
	if len(os.Args) != 2 {
		must(fmt.Errorf("usage: main GOLDEN_JSON"))
	}
	file := os.Args[1]
	data, err := os.ReadFile(file)
	must(err)
	var g golden
	must(json.Unmarshal(data, &g))

	ctx := context.Background()
	c, err := client.New(ctx, os.Getenv("BUILDKIT_HOST"))
	must(err)
	defer c.Close()

	tmp, err := os.MkdirTemp("", "local-patterns-")
	must(err)
	defer os.RemoveAll(tmp)
	fixture := filepath.Join(tmp, "fixture")
	makeFixture(fixture, g.Fixture)
	ctxFS, err := fsutil.NewFS(fixture)
	must(err)

	for i := range g.Cases {
		tc := &g.Cases[i]
		var excludes []string
		if tc.Ignore != nil {
			excludes, err = ignorefile.ReadAll(strings.NewReader(*tc.Ignore))
			must(err)
		}
		st := llb.Local("ctx",
			llb.IncludePatterns(tc.Include),
			llb.ExcludePatterns(excludes),
			llb.SharedKeyHint(fmt.Sprintf("case-%d", i)))
		def, err := st.Marshal(ctx, llb.LinuxAmd64)
		must(err)
		out := filepath.Join(tmp, fmt.Sprintf("out-%d", i))
		_, err = c.Solve(ctx, def, client.SolveOpt{
			Exports:     []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
			LocalMounts: map[string]fsutil.FS{"ctx": ctxFS},
		}, nil)
		must(err)
		tc.Sent = list(out)
		fmt.Printf("%-60s %d entries\n", tc.Name, len(tc.Sent))
	}
	g.BuildKit = "v0.34.2"
	text, err := json.MarshalIndent(g, "", " ")
	must(err)
	must(os.WriteFile(file, append(text, '\n'), 0o644))
}
