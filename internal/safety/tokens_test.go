package safety

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable clock for NewTokens.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 26, 15, 30, 12, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var baseClaims = Claims{
	Tool:   "delete_model",
	Args:   ArgsDigest(map[string]any{"id": "team/bot:v2"}),
	Caller: "user-7f3a",
	Target: Fingerprint(map[string]any{"id": "team/bot:v2", "updated_at": 1764000000}),
}

func reasonOf(t *testing.T, err error) Reason {
	t.Helper()
	if err == nil {
		return ""
	}
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %v (%T) is not a *Refusal", err, err)
	}
	if r.Msg == "" || r.Error() != r.Msg {
		t.Fatalf("refusal %q has no usable message: %q", r.Reason, r.Msg)
	}
	return r.Reason
}

func TestRedeem(t *testing.T) {
	other := func(f func(*Claims)) Claims { c := baseClaims; f(&c); return c }
	tests := []struct {
		name    string
		advance time.Duration // clock moves this much between Mint and Redeem
		want    Claims
		reason  Reason
		msg     string // substring of the refusal message
	}{
		{name: "ok", want: baseClaims},
		{name: "ok just before expiry", advance: 5*time.Minute - time.Nanosecond, want: baseClaims},
		{name: "expired at ttl", advance: 5 * time.Minute, want: baseClaims, reason: ReasonExpired, msg: "expired just now (tokens live 5m)"},
		{name: "expired 2m ago", advance: 7 * time.Minute, want: baseClaims, reason: ReasonExpired, msg: "the confirm_token expired 2m ago (tokens live 5m): call delete_model again without confirm_token for a fresh preview"},
		{name: "other tool", want: other(func(c *Claims) { c.Tool = "sync_models" }), reason: ReasonOtherTool, msg: `issued for tool "delete_model", not "sync_models"`},
		{name: "other caller", want: other(func(c *Claims) { c.Caller = "user-other" }), reason: ReasonOtherCaller, msg: "different caller"},
		{name: "empty caller", want: other(func(c *Claims) { c.Caller = "" }), reason: ReasonOtherCaller},
		{name: "other args", want: other(func(c *Claims) { c.Args = ArgsDigest(map[string]any{"id": "team/bot:v3"}) }), reason: ReasonOtherArgs, msg: "arguments differ"},
		{name: "target changed", want: other(func(c *Claims) { c.Target = Fingerprint(map[string]any{"id": "team/bot:v2", "updated_at": 1764000001}) }), reason: ReasonTargetChanged, msg: "target changed"},
		// A confirm_token is never a requestState (and see TestKindsDoNotMix).
		{name: "confirm token as request state", want: other(func(c *Claims) { c.Kind = KindRequestState }), reason: ReasonOtherKind, msg: "the value given as elicitation requestState was issued as a confirm_token"},
		{name: "kind beats expiry", advance: time.Hour, want: other(func(c *Claims) { c.Kind = KindRequestState }), reason: ReasonOtherKind},
		// Order: the earliest failing check names the refusal.
		{name: "expired beats other tool", advance: time.Hour, want: other(func(c *Claims) { c.Tool = "x" }), reason: ReasonExpired},
		{name: "tool beats caller", want: other(func(c *Claims) { c.Tool = "x"; c.Caller = "y" }), reason: ReasonOtherTool},
		{name: "caller beats args", want: other(func(c *Claims) { c.Caller = "y"; c.Args = "z" }), reason: ReasonOtherCaller},
		{name: "args beat target", want: other(func(c *Claims) { c.Args = "z"; c.Target = "w" }), reason: ReasonOtherArgs},
		// Claims are bound by field: swapping Args and Target is not equal.
		{name: "swapped args and target", want: other(func(c *Claims) { c.Args, c.Target = c.Target, c.Args }), reason: ReasonOtherArgs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			tok := NewTokens(5*time.Minute, clk.Now)
			s := tok.Mint(baseClaims)
			clk.Advance(tt.advance)
			err := tok.Redeem(s, tt.want)
			if got := reasonOf(t, err); got != tt.reason {
				t.Fatalf("Redeem: reason %q (%v), want %q", got, err, tt.reason)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.msg)
			}
			// A refused token is not consumed: the right call still works
			// unless time has run out.
			if tt.reason != "" && tt.reason != ReasonExpired && tt.advance < 5*time.Minute {
				if err := tok.Redeem(s, baseClaims); err != nil {
					t.Errorf("after a %s refusal the right call was refused: %v", tt.reason, err)
				}
			}
		})
	}
}

// A requestState (minted for an elicitation round trip, readable by the
// client) is never accepted as a confirm_token, whatever else matches, and
// lives for its own TTL.
func TestKindsDoNotMix(t *testing.T) {
	clk := newFakeClock()
	tok := NewTokens(5*time.Minute, clk.Now)
	state := baseClaims
	state.Kind = KindRequestState
	s := tok.MintTTL(state, time.Minute)
	err := tok.Redeem(s, baseClaims)
	if got := reasonOf(t, err); got != ReasonOtherKind {
		t.Fatalf("requestState redeemed as confirm_token: reason %q (%v)", got, err)
	}
	if !strings.Contains(err.Error(), "the value given as confirm_token was issued as an elicitation requestState") {
		t.Errorf("message does not name the kind: %v", err)
	}
	if err := tok.Redeem(s, state); err != nil {
		t.Fatalf("the requestState for its own use: %v", err)
	}
	s = tok.MintTTL(state, time.Minute)
	clk.Advance(time.Minute)
	if got := reasonOf(t, tok.Redeem(s, state)); got != ReasonExpired {
		t.Fatalf("requestState past its own TTL: reason %q", got)
	}
}

// A refused requestState is worded for the 2026-07-28 client that sent it
// back: it names the requestState, never a confirm_token, and the next step
// is a new question.
func TestRequestStateRefusals(t *testing.T) {
	state := baseClaims
	state.Kind = KindRequestState
	other := func(f func(*Claims)) Claims { c := state; f(&c); return c }
	const again = ": call delete_model again without requestState and inputResponses; the user will be asked again"
	tests := []struct {
		name    string
		advance time.Duration
		token   func(tok *Tokens, s string) string
		want    Claims
		reason  Reason
		msg     string
	}{
		{name: "malformed", token: func(*Tokens, string) string { return "x" }, want: state, reason: ReasonMalformed,
			msg: "the elicitation requestState is malformed (it must come back exactly as the server sent it)" + again},
		{name: "forged", token: func(*Tokens, string) string { return NewTokens(0, nil).MintTTL(state, time.Minute) }, want: state, reason: ReasonForged,
			msg: "the elicitation requestState was not issued by this server process (they do not survive a restart, and cannot be edited)" + again},
		{name: "expired", advance: time.Minute, want: state, reason: ReasonExpired, msg: "the elicitation requestState expired" + again},
		{name: "used", token: func(tok *Tokens, s string) string { _ = tok.Redeem(s, state); return s }, want: state, reason: ReasonUsed,
			msg: "the elicitation requestState was already used, and each one confirms exactly one call" + again},
		{name: "other tool", want: other(func(c *Claims) { c.Tool = "sync_models" }), reason: ReasonOtherTool,
			msg: `the elicitation requestState was issued for tool "delete_model", not "sync_models": call sync_models again without requestState and inputResponses; the user will be asked again`},
		{name: "other caller", want: other(func(c *Claims) { c.Caller = "user-other" }), reason: ReasonOtherCaller,
			msg: "the elicitation requestState was issued to a different caller" + again},
		{name: "other args", want: other(func(c *Claims) { c.Args = "z" }), reason: ReasonOtherArgs,
			msg: "the arguments differ from those of the question this elicitation requestState belongs to" + again},
		{name: "target changed", want: other(func(c *Claims) { c.Target = "w" }), reason: ReasonTargetChanged,
			msg: "the target changed in Open WebUI since the user was asked, so nothing was done" + again},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			tok := NewTokens(5*time.Minute, clk.Now)
			s := tok.MintTTL(state, time.Minute)
			if tt.token != nil {
				s = tt.token(tok, s)
			}
			clk.Advance(tt.advance)
			err := tok.Redeem(s, tt.want)
			if got := reasonOf(t, err); got != tt.reason {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.reason)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n %q\nwant\n %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestRedeemTwice(t *testing.T) {
	tok := NewTokens(0, nil)
	s := tok.Mint(baseClaims)
	if err := tok.Redeem(s, baseClaims); err != nil {
		t.Fatalf("first Redeem: %v", err)
	}
	for _, want := range []Claims{baseClaims, {Tool: "other"}} {
		err := tok.Redeem(s, want)
		if got := reasonOf(t, err); got != ReasonUsed {
			t.Fatalf("second Redeem: reason %q (%v), want %q", got, err, ReasonUsed)
		}
	}
	// Two tokens for the same claims are independent.
	s2 := tok.Mint(baseClaims)
	if s2 == s {
		t.Fatal("Mint returned the same token twice")
	}
	if err := tok.Redeem(s2, baseClaims); err != nil {
		t.Fatalf("second token: %v", err)
	}
}

func TestRedeemForged(t *testing.T) {
	tok := NewTokens(0, nil)
	s := tok.Mint(baseClaims)
	p, m, _ := strings.Cut(s, ".")
	payload, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	mac, err := b64.DecodeString(m)
	if err != nil {
		t.Fatal(err)
	}
	// Every single-bit edit of the payload or of the MAC is forged, whatever
	// field it lands in (version, nonce, expiry, claims, tool).
	for i := range len(payload) * 8 {
		q := bytes.Clone(payload)
		q[i/8] ^= 1 << (i % 8)
		forged := b64.EncodeToString(q) + "." + m
		if got := reasonOf(t, tok.Redeem(forged, baseClaims)); got != ReasonForged {
			t.Fatalf("payload bit %d flipped: reason %q, want %q", i, got, ReasonForged)
		}
	}
	for i := range len(mac) * 8 {
		q := bytes.Clone(mac)
		q[i/8] ^= 1 << (i % 8)
		forged := p + "." + b64.EncodeToString(q)
		if got := reasonOf(t, tok.Redeem(forged, baseClaims)); got != ReasonForged {
			t.Fatalf("MAC bit %d flipped: reason %q, want %q", i, got, ReasonForged)
		}
	}
	// Extending the payload (e.g. a longer tool name) is forged too.
	if got := reasonOf(t, tok.Redeem(b64.EncodeToString(append(bytes.Clone(payload), 'x'))+"."+m, baseClaims)); got != ReasonForged {
		t.Fatalf("extended payload: reason %q, want %q", got, ReasonForged)
	}
	// None of this consumed the real token.
	if err := tok.Redeem(s, baseClaims); err != nil {
		t.Fatalf("real token after forgeries: %v", err)
	}
}

func TestRedeemOtherInstance(t *testing.T) {
	clk := newFakeClock()
	a := NewTokens(time.Minute, clk.Now)
	b := NewTokens(time.Minute, clk.Now) // a restarted server: new key
	err := b.Redeem(a.Mint(baseClaims), baseClaims)
	if got := reasonOf(t, err); got != ReasonForged {
		t.Fatalf("token of another instance: reason %q, want %q", got, ReasonForged)
	}
	if !strings.Contains(err.Error(), "restart") {
		t.Errorf("forged message should mention restarts: %q", err.Error())
	}
}

func TestRedeemMalformed(t *testing.T) {
	tok := NewTokens(0, nil)
	real := tok.Mint(baseClaims)
	p, m, _ := strings.Cut(real, ".")
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"short", "abc"},
		{"two short parts", "a.b"},
		{"only dot", "."},
		{"three parts", real + ".x"},
		{"no mac", p},
		{"empty mac", p + "."},
		{"empty payload", "." + m},
		{"std base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(real) + "+/"},
		{"padded", p + "=." + m},
		{"short mac", p + "." + m[:len(m)-4]},
		{"short payload", p[:20] + "." + m},
		{"huge", strings.Repeat("A", 1<<20) + "." + m},
		{"spaces", " " + real},
		{"non-ascii", "tökén.mäc"},
		{"nul", "\x00.\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reasonOf(t, tok.Redeem(tt.token, baseClaims)); got != ReasonMalformed {
				t.Fatalf("reason %q, want %q", got, ReasonMalformed)
			}
		})
	}
	if err := tok.Redeem("", Claims{}); err == nil || !strings.Contains(err.Error(), "call the tool again") {
		t.Errorf("refusal without a tool name: %v", err)
	}
	if err := tok.Redeem(real, baseClaims); err != nil {
		t.Fatalf("real token after garbage: %v", err)
	}
}

func TestRedeemConcurrent(t *testing.T) {
	tok := NewTokens(0, nil)
	s := tok.Mint(baseClaims)
	const n = 32
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = tok.Redeem(s, baseClaims)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch got := reasonOf(t, err); got {
		case "":
			ok++
		case ReasonUsed:
		default:
			t.Errorf("unexpected reason %q", got)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent Redeems succeeded, want exactly 1", ok, n)
	}
}

func TestUsedSetPruned(t *testing.T) {
	clk := newFakeClock()
	tok := NewTokens(time.Minute, clk.Now)
	for range 100 {
		if err := tok.Redeem(tok.Mint(baseClaims), baseClaims); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	// 100 tokens redeemed over 100s with a 60s TTL: only those minted in
	// the last minute are still alive, so only they are remembered.
	got := tok.ledger.(*MemoryLedger).len()
	if got > 60 {
		t.Fatalf("used-set holds %d entries, want at most 60 (the live ones)", got)
	}
	clk.Advance(time.Minute)
	s := tok.Mint(baseClaims)
	if err := tok.Redeem(s, baseClaims); err != nil {
		t.Fatal(err)
	}
	got = tok.ledger.(*MemoryLedger).len()
	if got != 1 {
		t.Fatalf("after every earlier token expired the used-set holds %d entries, want 1", got)
	}
	// The pruned token is still refused, and the live one still used.
	if got := reasonOf(t, tok.Redeem(s, baseClaims)); got != ReasonUsed {
		t.Fatalf("live used token: reason %q, want %q", got, ReasonUsed)
	}
}

// A clock that steps backwards must not bring a forgotten token back.
func TestClockStepsBack(t *testing.T) {
	clk := newFakeClock()
	tok := NewTokens(time.Minute, clk.Now)
	s := tok.Mint(baseClaims)
	if err := tok.Redeem(s, baseClaims); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if got := reasonOf(t, tok.Redeem(s, baseClaims)); got != ReasonExpired {
		t.Fatalf("reason %q, want %q", got, ReasonExpired)
	}
	clk.Advance(-2 * time.Minute)
	if got := reasonOf(t, tok.Redeem(s, baseClaims)); got != ReasonExpired {
		t.Fatalf("after the clock stepped back: reason %q, want %q", got, ReasonExpired)
	}
	// New tokens live a full TTL from the highest time seen.
	s2 := tok.Mint(baseClaims)
	clk.Advance(2*time.Minute + 59*time.Second)
	if err := tok.Redeem(s2, baseClaims); err != nil {
		t.Fatalf("fresh token after the step back: %v", err)
	}
}

func TestTokenShape(t *testing.T) {
	tok := NewTokens(0, nil)
	const callerID = "alice@example.com"
	c := baseClaims
	c.Caller = callerID
	s := tok.Mint(c)
	if len(s) > 200 {
		t.Errorf("token is %d characters; keep it short for agents to copy", len(s))
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			t.Fatalf("token %q has non-URL-safe character %q", s, r)
		}
	}
	p, _, _ := strings.Cut(s, ".")
	payload, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{callerID, "alice", c.Args, c.Target, c.Args[:16], c.Target[:16]} {
		if bytes.Contains(payload, []byte(secret)) || strings.Contains(s, secret) {
			t.Errorf("token carries %q in clear", secret)
		}
	}
	if !bytes.HasSuffix(payload, []byte(c.Tool)) {
		t.Errorf("payload should name the tool in clear for refusals")
	}
}

func TestNewTokensDefaults(t *testing.T) {
	if got := NewTokens(0, nil).TTL(); got != 5*time.Minute {
		t.Errorf("TTL() = %v, want 5m", got)
	}
	if got := NewTokens(-time.Second, nil).TTL(); got != DefaultTTL {
		t.Errorf("negative ttl: TTL() = %v, want %v", got, DefaultTTL)
	}
	if got := NewTokens(90*time.Second, nil).TTL(); got != 90*time.Second {
		t.Errorf("TTL() = %v, want 1m30s", got)
	}
}

func TestRefusalMatching(t *testing.T) {
	tok := NewTokens(0, nil)
	err := tok.Redeem("garbage", baseClaims)
	if !errors.Is(err, &Refusal{Reason: ReasonMalformed}) || !errors.Is(err, Refusal{Reason: ReasonMalformed}) {
		t.Errorf("errors.Is does not match the reason: %v", err)
	}
	if errors.Is(err, &Refusal{Reason: ReasonForged}) {
		t.Errorf("errors.Is matched the wrong reason")
	}
	wrapped := errors.Join(errors.New("confirm"), err)
	if got := ReasonOf(wrapped); got != ReasonMalformed {
		t.Errorf("ReasonOf(wrapped) = %q", got)
	}
	if got := ReasonOf(Refusal{Reason: ReasonUsed}); got != ReasonUsed {
		t.Errorf("ReasonOf(value) = %q", got)
	}
	if got := ReasonOf(errors.New("x")); got != "" {
		t.Errorf("ReasonOf(other) = %q", got)
	}
	if got := ReasonOf(nil); got != "" {
		t.Errorf("ReasonOf(nil) = %q", got)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "5m"},
		{2*time.Minute + 30*time.Second, "2m30s"},
		{time.Hour, "1h"},
		{time.Hour + 5*time.Minute, "1h5m"},
		{90 * time.Second, "1m30s"},
		{12*time.Second + 400*time.Millisecond, "12s"},
		{20 * time.Second, "20s"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// failingLedger is a shared ledger that cannot be reached.
type failingLedger struct{ claims int }

func (f *failingLedger) Claim([]byte, time.Duration, time.Duration) (bool, error) {
	f.claims++
	return false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}
func (f *failingLedger) Used([]byte, time.Duration) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

func TestTokensWithKeyShared(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	clk := newFakeClock()
	a, err := NewTokensWithKey(time.Minute, clk.Now, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTokensWithKey(time.Minute, clk.Now, key)
	if err != nil {
		t.Fatal(err)
	}
	shared := NewMemoryLedger()
	a.UseLedger(shared)
	b.UseLedger(shared)

	s := a.Mint(baseClaims)
	if err := b.Redeem(s, baseClaims); err != nil {
		t.Fatalf("token minted by a, redeemed by b: %v", err)
	}
	if got := reasonOf(t, a.Redeem(s, baseClaims)); got != ReasonUsed {
		t.Fatalf("second redemption on a: reason %q, want %q", got, ReasonUsed)
	}
	// Expiry is wall time, so both processes agree on it.
	s = a.Mint(baseClaims)
	clk.Advance(time.Minute)
	if got := reasonOf(t, b.Redeem(s, baseClaims)); got != ReasonExpired {
		t.Fatalf("expired token on b: reason %q, want %q", got, ReasonExpired)
	}
	// Another key is another server.
	c, err := NewTokensWithKey(time.Minute, clk.Now, []byte("another key, 32 bytes long......"))
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonOf(t, c.Redeem(a.Mint(baseClaims), baseClaims)); got != ReasonForged {
		t.Fatalf("token of another key: reason %q, want %q", got, ReasonForged)
	}
	if _, err := NewTokensWithKey(time.Minute, nil, []byte("short")); err == nil || !strings.Contains(err.Error(), "too short (5 bytes, need at least 32") {
		t.Fatalf("short key: %v", err)
	}
}

// A ledger that cannot record the redemption refuses it: never run
// unconfirmed, and never consume a token the checks already refused.
func TestRedeemLedgerDown(t *testing.T) {
	tok := NewTokens(time.Minute, nil)
	fl := &failingLedger{}
	tok.UseLedger(fl)
	s := tok.Mint(baseClaims)
	err := tok.Redeem(s, baseClaims)
	if got := reasonOf(t, err); got != ReasonUnavailable {
		t.Fatalf("reason %q (%v), want %q", got, err, ReasonUnavailable)
	}
	for _, want := range []string{"shared state store is unreachable", "connection refused", "nothing was changed", "delete_model again with the same confirm_token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err.Error(), want)
		}
	}
	other := baseClaims
	other.Args = "x"
	if got := reasonOf(t, tok.Redeem(s, other)); got != ReasonOtherArgs {
		t.Fatalf("mismatch with the ledger down: reason %q, want %q", got, ReasonOtherArgs)
	}
	if fl.claims != 1 {
		t.Fatalf("ledger claimed %d times, want 1 (only for the call that passed every check)", fl.claims)
	}
}

// Binds answers true only for exactly the claims the token was minted for,
// uses nothing up (Redeem still works after it) and is false for anything
// not issued by this key.
func TestBinds(t *testing.T) {
	other := func(f func(*Claims)) Claims { c := baseClaims; f(&c); return c }
	clk := newFakeClock()
	tok := NewTokens(5*time.Minute, clk.Now)
	s := tok.Mint(baseClaims)
	tests := []struct {
		name  string
		token string
		want  Claims
		binds bool
	}{
		{"same claims", s, baseClaims, true},
		{"other target", s, other(func(c *Claims) { c.Target = Fingerprint("other") }), false},
		{"other args", s, other(func(c *Claims) { c.Args = "z" }), false},
		{"other caller", s, other(func(c *Claims) { c.Caller = "y" }), false},
		{"other tool", s, other(func(c *Claims) { c.Tool = "sync_models" }), false},
		{"other kind", s, other(func(c *Claims) { c.Kind = KindRequestState }), false},
		{"malformed", "x", baseClaims, false},
		{"empty", "", baseClaims, false},
		{"edited", s[:len(s)-2] + "AA", baseClaims, false},
		{"other process", NewTokens(5*time.Minute, clk.Now).Mint(baseClaims), baseClaims, false},
	}
	for _, tt := range tests {
		if got := tok.Binds(tt.token, tt.want); got != tt.binds {
			t.Errorf("%s: Binds = %v, want %v", tt.name, got, tt.binds)
		}
	}
	if err := tok.Redeem(s, baseClaims); err != nil {
		t.Fatalf("Binds used the token up: %v", err)
	}
	// Expiry and use are Redeem's business: Binds still matches the claims.
	if !tok.Binds(s, baseClaims) {
		t.Error("Binds is false for a used token with the same claims")
	}
}
