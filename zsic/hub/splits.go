package hub

import (
	"regexp"
	"sort"
	"strings"
)

// The default rules of the datasets library for assigning a repository's
// data files to splits (datasets/data_files.py): first, sharded names
// data/<split>-NNNNN-of-NNNNN.*; else the split's keywords in folder names;
// else in file names; else every file is "train".
var (
	shardedRE = regexp.MustCompile(`^data/([^/]+)-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]*$`)

	splitKeywords = map[string][]string{
		"train":      {"train", "training"},
		"validation": {"validation", "valid", "dev", "val"},
		"test":       {"test", "testing", "eval", "evaluation"},
	}

	// The glob patterns of datasets, as regular expressions of a path;
	// "{k}" stands for a keyword and "S" for a non-word character, the
	// class [-._ 0-9].
	dirPatterns = []string{
		`(^|.*/){k}/.+$`,             // **/{k}/**
		`(^|.*/){k}S[^/]*/.+$`,       // **/{k}[S]*/**
		`(^|.*/)[^/]*S{k}/.+$`,       // **/*[S]{k}/**
		`(^|.*/)[^/]*S{k}S[^/]*/.+$`, // **/*[S]{k}[S]*/**
	}
	filePatterns = []string{
		`(^|.*/){k}S[^/]*$`,       // **/{k}[S]*
		`(^|.*/)[^/]*S{k}S[^/]*$`, // **/*[S]{k}[S]*
	}
	dirRules  = compileRules(dirPatterns)
	fileRules = compileRules(filePatterns)
)

// compileRules makes, for each default split, one regexp from patterns.
func compileRules(patterns []string) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for split, kws := range splitKeywords {
		var alts []string
		for _, kw := range kws {
			for _, p := range patterns {
				p = strings.ReplaceAll(p, "{k}", regexp.QuoteMeta(kw))
				alts = append(alts, "(?:"+strings.ReplaceAll(p, "S", `[-._ 0-9]`)+")")
			}
		}
		out[split] = regexp.MustCompile("^(?:" + strings.Join(alts, "|") + ")")
	}
	return out
}

// splitFiles picks, sorted, the repository's own parquet files of split
// name, restricted to folder config when config is not empty.
func splitFiles(files []string, config, name string) []string {
	var data []string
	for _, f := range files {
		if strings.HasSuffix(f, ".parquet") && !hidden(f) && (config == "" || strings.HasPrefix(f, config+"/")) {
			data = append(data, f)
		}
	}
	var out []string
	if anyMatch(data, func(f string) bool { return shardedRE.MatchString(f) }) {
		for _, f := range data {
			if m := shardedRE.FindStringSubmatch(f); m != nil && m[1] == name {
				out = append(out, f)
			}
		}
	} else {
		out = byKeywords(data, name)
	}
	sort.Strings(out)
	return out
}

// byKeywords applies the first of the folder-name, file-name and catch-all
// rules that assigns any file to any default split.
func byKeywords(data []string, name string) []string {
	for _, rules := range []map[string]*regexp.Regexp{dirRules, fileRules} {
		used := false
		for _, re := range rules {
			used = used || anyMatch(data, re.MatchString)
		}
		if used {
			re, ok := rules[name]
			if !ok {
				return nil
			}
			var out []string
			for _, f := range data {
				if re.MatchString(f) {
					out = append(out, f)
				}
			}
			return out
		}
	}
	if name == "train" {
		return data
	}
	return nil
}

func anyMatch(files []string, match func(string) bool) bool {
	for _, f := range files {
		if match(f) {
			return true
		}
	}
	return false
}

// hidden reports whether a path has a part that the datasets library skips:
// one starting with "." or "__".
func hidden(f string) bool {
	for _, p := range strings.Split(f, "/") {
		if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "__") {
			return true
		}
	}
	return false
}
