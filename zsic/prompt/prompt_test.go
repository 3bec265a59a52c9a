package prompt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestLoadTemplatesBuiltin(t *testing.T) {
	cifar, err := LoadTemplates(OpenAI)
	require.NoError(t, err)
	require.Len(t, cifar.List, 18)
	require.Equal(t, "a photo of a {}.", cifar.List[0])
	require.Equal(t, "a photo of the big {}.", cifar.List[17])
	require.Empty(t, cifar.Warnings)

	in, err := LoadTemplates(OpenAIImageNet)
	require.NoError(t, err)
	require.Len(t, in.List, 80)
	require.Equal(t, "a bad photo of a {}.", in.List[0])
	require.Equal(t, "a {} in a video game.", in.List[35])
	require.Equal(t, "a tattoo of the {}.", in.List[79])
	require.Empty(t, in.Warnings)
}

func TestLoadTemplatesFiles(t *testing.T) {
	const object = `{"cifar10": ["a photo of a {c}."], "cifar100": ["a photo of a {c}.", "a blurry photo of a {c}."]}`
	tests := []struct {
		name, file, content, key string
		want                     []string
		warnings                 int
	}{
		{"lines", "t.txt", "a photo of a {c}.\n\n  itap of a {}.  \r\n", "", []string{"a photo of a {c}.", "itap of a {}."}, 0},
		{"array", "t.json", `["a {}.", "the {}."]`, "", []string{"a {}.", "the {}."}, 0},
		{"object key", "t.json", object, "cifar100", []string{"a photo of a {c}.", "a blurry photo of a {c}."}, 0},
		{"object of one", "t.json", `{"x": ["a {}."]}`, "", []string{"a {}."}, 0},
		{"line starting with a brace", "t.txt", "{} in a photo.\nthe {}.\n", "", []string{"{} in a photo.", "the {}."}, 0},
		{"repeats warn", "t.txt", "a {}.\nthe {}.\na {}.\n", "", []string{"a {}.", "the {}.", "a {}."}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := write(t, tt.file, tt.content)
			if tt.key != "" {
				spec += "#" + tt.key
			}
			got, err := LoadTemplates(spec)
			require.NoError(t, err)
			require.Equal(t, tt.want, got.List)
			require.Equal(t, spec, got.Source)
			require.Len(t, got.Warnings, tt.warnings)
			if tt.warnings > 0 {
				require.Contains(t, got.Warnings[0], "line 3 repeats line 1")
			}
		})
	}
}

func TestLoadTemplatesErrors(t *testing.T) {
	tests := []struct{ name, content, key, want string }{
		{"no placeholder", "a photo of a {}.\na photo.\n", "", `line 2 "a photo.": no {} or {c} for the class name`},
		{"empty", "", "", "the file is empty"},
		{"blank", " \n\n", "", "the file is empty"},
		{"bad array", `["a {}", 3]`, "", "want a JSON array of strings"},
		{"array without placeholder", `["a {}", "b"]`, "", `template 1 "b": no {} or {c}`},
		{"missing key", `{"a": ["{}"], "b": ["{}"]}`, "c", `no key "c"; it has a, b`},
		{"object needs a key", `{"a": ["{}"], "b": ["{}"]}`, "", "a JSON object of 2 template sets; pick one as"},
		{"key on lines", "a {}.\n", "x", "#x picks a key of a JSON object, but the file is not one"},
		{"empty set", `{"a": []}`, "a", "no templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := write(t, "t.txt", tt.content)
			if tt.key != "" {
				spec += "#" + tt.key
			}
			_, err := LoadTemplates(spec)
			require.ErrorContains(t, err, tt.want)
			require.ErrorContains(t, err, "t.txt")
		})
	}
	_, err := LoadTemplates(filepath.Join(t.TempDir(), "missing.txt"))
	require.ErrorContains(t, err, "missing.txt")
	_, err = LoadTemplates("")
	require.Error(t, err)
}

func TestLoadClassNames(t *testing.T) {
	c100, err := LoadClassNames(OpenAI, 100)
	require.NoError(t, err)
	require.Len(t, c100, 100)
	require.Equal(t, "aquarium fish", c100[1])
	require.Equal(t, "crab", c100[26]) // the Hub's ClassLabel says "cra"
	require.Equal(t, "worm", c100[99])
	c10, err := LoadClassNames(OpenAI, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}, c10)
	explicit, err := LoadClassNames(OpenAICIFAR100, 0)
	require.NoError(t, err)
	require.Equal(t, c100, explicit)

	_, err = LoadClassNames(OpenAI, 20)
	require.ErrorContains(t, err, "CIFAR-100's (100 names) and CIFAR-10's (10 names), but the dataset has 20 classes")
	_, err = LoadClassNames(OpenAICIFAR10, 100)
	require.ErrorContains(t, err, "class names openai-cifar10: 10 names, but the dataset has 100 classes")

	f := write(t, "names.txt", "maple tree\ncat\n\n")
	got, err := LoadClassNames(f, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"maple tree", "cat"}, got)
	_, err = LoadClassNames(f, 3)
	require.ErrorContains(t, err, "names.txt: 2 names, but the dataset has 3 classes")
	got, err = LoadClassNames(write(t, "names.json", `["a", "b"]`), 0)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, got)

	for name, content := range map[string]string{
		"":          "no class names",
		"a\n\nb\n":  "line 2 is blank",
		"a\nb\na\n": `"a" is repeated (ids 0 and 2)`,
		`["a", ""]`: "class 1 has an empty name",
		`["a", 1]`:  "want a JSON array of strings",
	} {
		_, err := LoadClassNames(write(t, "n.txt", name), 0)
		require.ErrorContains(t, err, content, "file %q", name)
	}
}

func TestClassPrompts(t *testing.T) {
	got, err := ClassPrompts([]string{"maple tree", "cat_food"}, []string{"a {}.", "the {c} and the {}."}, nil)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a maple tree.", "the maple tree and the maple tree."}, {"a cat_food.", "the cat_food and the cat_food."}}, got)

	cupl := CuPL{"maple tree": {"A maple tree has leaves.", "Maple."}, "cat": {"A cat purrs."}, "dog": {"A dog."}}
	got, err = ClassPrompts([]string{"maple_tree", "cat"}, []string{"ignored {}"}, cupl)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"A maple tree has leaves.", "Maple."}, {"A cat purrs."}}, got)
	require.Equal(t, []string{"dog"}, cupl.Extra([]string{"maple_tree", "cat"}))

	_, err = ClassPrompts([]string{"maple_tree", "cat", "bus", "sweet_pepper"}, nil, cupl)
	require.EqualError(t, err, `class prompts name 2 of 4 classes; missing: 2 "bus", 3 "sweet_pepper"`)
	_, err = ClassPrompts([]string{"cat"}, nil, nil)
	require.Error(t, err)
}

func TestLoadCuPL(t *testing.T) {
	c, err := LoadCuPL(write(t, "c.json", `{"cat": ["A cat.", "A small cat."]}`))
	require.NoError(t, err)
	require.Equal(t, CuPL{"cat": {"A cat.", "A small cat."}}, c)
	for content, want := range map[string]string{
		"":                    "the file is empty",
		`["a"]`:               "want a JSON object",
		`{}`:                  "no classes",
		`{"cat": []}`:         `class "cat" has no prompts`,
		`{"cat": ["a", " "]}`: `class "cat": prompt 1 is empty`,
	} {
		_, err := LoadCuPL(write(t, "c.json", content))
		require.ErrorContains(t, err, want, "file %q", content)
		require.ErrorContains(t, err, "c.json")
	}
}

func TestSummarize(t *testing.T) {
	// printf 'a\nb\nc\nd\n' | sha256sum
	s := Summarize([]string{"d", "b", "a", "c"}, "x.txt")
	require.Equal(t, Summary{Count: 4, SHA256: "cf2c7f63055d2e84af6e3f01ac1bb7fce598d20cf213fab2b56b8e8047b46ced", First: []string{"d", "b", "a"}, Source: "x.txt"}, s)
}
