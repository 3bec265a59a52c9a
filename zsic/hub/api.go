package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// commitRE matches a full commit hash, as the Hub and huggingface_hub write them.
var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// repoInfo is the part of the Hub's model or dataset info that zsic uses.
type repoInfo struct {
	SHA      string `json:"sha"`
	Siblings []struct {
		RFilename string `json:"rfilename"`
	} `json:"siblings"`
}

// files lists the paths of the repository's files.
func (i *repoInfo) files() []string {
	out := make([]string, 0, len(i.Siblings))
	for _, s := range i.Siblings {
		out = append(out, s.RFilename)
	}
	return out
}

// describe names repo and revision in messages: "model org/name at revision main".
func describe(t RepoType, repo, revision string) string {
	return fmt.Sprintf("%s %s at revision %s", t, repo, revision)
}

// apiURL is the info endpoint of repo at revision, e.g.
// {endpoint}/api/models/org/name/revision/main.
func (c *Client) apiURL(t RepoType, repo, revision string) string {
	return fmt.Sprintf("%s/api/%ss/%s/revision/%s", strings.TrimRight(c.Endpoint, "/"), t, repo, url.PathEscape(revision))
}

// resolveURL is the download address of file in repo at revision, e.g.
// {endpoint}/datasets/org/name/resolve/main/data/test.parquet.
func (c *Client) resolveURL(t RepoType, repo, revision, file string) string {
	prefix := ""
	if t == RepoDataset {
		prefix = "datasets/"
	}
	parts := strings.Split(file, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return fmt.Sprintf("%s/%s%s/resolve/%s/%s", strings.TrimRight(c.Endpoint, "/"), prefix, repo,
		url.PathEscape(revision), strings.Join(parts, "/"))
}

// fetchInfo asks the Hub for repo's commit and file list at revision.
func (c *Client) fetchInfo(ctx context.Context, t RepoType, repo, revision string) (*repoInfo, error) {
	what := "look up " + describe(t, repo, revision)
	var info repoInfo
	err := c.withRetries(ctx, func() error {
		resp, err := c.request(ctx, "GET", c.apiURL(t, repo, revision), nil, true)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		defer resp.Body.Close()
		if err := c.statusError(resp, what); err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return retryable{fmt.Errorf("%s: read answer: %w", what, err)}
		}
		if err := json.Unmarshal(body, &info); err != nil {
			return fmt.Errorf("%s: answer is not the Hub's repository info JSON: %w", what, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !commitRE.MatchString(info.SHA) {
		return nil, fmt.Errorf("%s: answer has no commit hash (\"sha\": %q)", what, c.serverText(info.SHA))
	}
	for _, f := range info.files() {
		if !localPath(f) {
			return nil, fmt.Errorf("%s: answer lists a file with an unsafe path %q", what, c.serverText(f))
		}
	}
	return &info, nil
}
