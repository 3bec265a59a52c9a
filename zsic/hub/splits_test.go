package hub

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The expectations follow the default data-file patterns of the datasets
// library (data_files.py: SPLIT_PATTERN_SHARDED, KEYWORDS_IN_DIR_NAME_BASE_PATTERNS,
// KEYWORDS_IN_FILENAME_BASE_PATTERNS with NON_WORDS_CHARS "-._ 0-9").
func TestSplitFiles(t *testing.T) {
	tests := []struct {
		name   string
		files  []string
		config string
		split  string
		want   []string
	}{
		{"sharded", []string{"data/train-00001-of-00002.parquet", "data/train-00000-of-00002.parquet", "data/test-00000-of-00001.parquet", "README.md"},
			"", "train", []string{"data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"}},
		{"sharded names any split", []string{"data/train_noisy-00000-of-00001.parquet", "data/test-00000-of-00001.parquet"},
			"", "train_noisy", []string{"data/train_noisy-00000-of-00001.parquet"}},
		{"sharded wins over keywords", []string{"data/test-00000-of-00001.parquet", "test/extra.parquet"},
			"", "test", []string{"data/test-00000-of-00001.parquet"}},
		{"keyword in file name (uoft-cs/cifar100)", []string{"cifar100/test-00000-of-00001.parquet", "cifar100/train-00000-of-00001.parquet"},
			"", "test", []string{"cifar100/test-00000-of-00001.parquet"}},
		{"keyword after a separator", []string{"cifar_test.parquet", "cifar_train.parquet"}, "", "test", []string{"cifar_test.parquet"}},
		{"keyword must stand alone", []string{"contest.parquet", "latest.parquet"}, "", "test", nil},
		{"no keyword: everything is train", []string{"contest.parquet", "b.parquet"}, "", "train", []string{"b.parquet", "contest.parquet"}},
		{"synonym", []string{"valid.parquet", "train.parquet"}, "", "validation", []string{"valid.parquet"}},
		{"keyword in folder name", []string{"default/test/0001.parquet", "default/test/0000.parquet", "default/train/0000.parquet"},
			"", "test", []string{"default/test/0000.parquet", "default/test/0001.parquet"}},
		{"folder names win over file names", []string{"eval/a.parquet", "train.parquet"}, "", "train", nil},
		{"config prefix", []string{"a/test/0.parquet", "b/test/0.parquet"}, "b", "test", []string{"b/test/0.parquet"}},
		{"hidden and non-parquet files ignored", []string{".cache/test.parquet", "test.csv", "test.parquet"}, "", "test", []string{"test.parquet"}},
		{"unknown split", []string{"test.parquet"}, "", "holdout", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, splitFiles(tt.files, tt.config, tt.split))
		})
	}
}

func TestConvertedFiles(t *testing.T) {
	files := []string{"a/test/0001.parquet", "a/test/0000.parquet", "a/train/0000.parquet", "b/partial-test/0000.parquet"}
	tests := []struct {
		config, split string
		want          []string
		wantErr       string
	}{
		{"a", "test", []string{"a/test/0000.parquet", "a/test/0001.parquet"}, ""},
		{"b", "test", []string{"b/partial-test/0000.parquet"}, ""},
		{"", "train", []string{"a/train/0000.parquet"}, ""},
		{"", "test", nil, "several configs (a, b): name one as <config>/test"},
		{"c", "test", nil, "split c/test is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.config+"/"+tt.split, func(t *testing.T) {
			got, err := convertedFiles(files, tt.config, tt.split)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
