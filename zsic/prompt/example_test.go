package prompt_test

import (
	"fmt"

	"github.com/zsic/zsic/zsic/prompt"
)

// OpenAI's CIFAR templates and cleaned names become each class's prompts,
// whose embeddings a Classifier ensembles (zsic.EvalOptions.Prompts).
func ExampleClassPrompts() {
	templates, err := prompt.LoadTemplates(prompt.OpenAI)
	if err != nil {
		panic(err)
	}
	names, err := prompt.LoadClassNames(prompt.OpenAI, 100) // a 100-class dataset
	if err != nil {
		panic(err)
	}
	prompts, err := prompt.ClassPrompts(names, templates.List, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(templates.List), "templates,", len(names), "classes")
	fmt.Println(prompts[26][0])
	fmt.Println(prompts[26][17])
	// Output:
	// 18 templates, 100 classes
	// a photo of a crab.
	// a photo of the big crab.
}

// A report identifies the lists it used without copying them.
func ExampleSummarize() {
	s := prompt.Summarize([]string{"cat", "apple", "dog", "bee"}, "names.txt")
	fmt.Println(s.Count, s.First, s.Source)
	// Output:
	// 4 [cat apple dog] names.txt
}
