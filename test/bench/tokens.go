package bench

import (
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// TokenizerName names the tokenizer every token count in the report uses.
const TokenizerName = "cl100k_base (tiktoken-go, offline BPE ranks)"

var (
	encOnce sync.Once
	enc     *tiktoken.Tiktoken
	encErr  error
)

// Tokens counts the cl100k_base tokens of s, with the BPE ranks embedded in
// tiktoken-go-loader (no network), the same count as
// tools.TestToolListTokenBudget.
func Tokens(s string) (int, error) {
	encOnce.Do(func() {
		tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
		enc, encErr = tiktoken.GetEncoding("cl100k_base")
	})
	if encErr != nil {
		return 0, encErr
	}
	return len(enc.Encode(s, nil, nil)), nil
}
