// Package safety holds the primitives behind owui-mcp's confirmation flow:
// single-use confirm tokens bound to a previewed call, on-disk backups of the
// records a confirmed call is about to change, and the audit trail of every
// executed mutation.
package safety

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultTTL is how long a confirm token stays valid when NewTokens gets no TTL.
const DefaultTTL = 5 * time.Minute

// Kind says what a token is for. The kind is part of the signed payload, so
// a token minted for one use is refused for the other: the requestState of
// an elicitation round trip (which a 2026-07-28 client can read) cannot be
// sent back as a confirm_token, and a confirm_token cannot stand in for the
// human's answer to an elicitation.
type Kind byte

const (
	// KindConfirm is a confirm_token handed to the agent (the zero value).
	KindConfirm Kind = 0
	// KindRequestState is the requestState of an elicitation round trip.
	KindRequestState Kind = 1
)

func (k Kind) String() string {
	switch k {
	case KindConfirm:
		return "confirm_token"
	case KindRequestState:
		return "elicitation requestState"
	}
	return fmt.Sprintf("kind %d", byte(k))
}

func (k Kind) article() string {
	if k == KindRequestState {
		return "an " + k.String()
	}
	return "a " + k.String()
}

// Claims is what a confirm token binds: what it is for, one tool, one set of
// arguments, one caller and the upstream state the preview showed.
type Claims struct {
	Kind   Kind   // what the token is for; checked before anything else it binds
	Tool   string // tool name
	Args   string // digest of the call's arguments (see ArgsDigest)
	Caller string // caller.Identity.ID
	Target string // fingerprint of the previewed upstream state (see Fingerprint)
}

// Reason names the check a confirm token failed.
type Reason string

// The reasons, in the order Redeem checks them.
const (
	ReasonMalformed     Reason = "malformed"
	ReasonForged        Reason = "forged"
	ReasonExpired       Reason = "expired"
	ReasonUsed          Reason = "already_used"
	ReasonOtherKind     Reason = "other_kind"
	ReasonOtherTool     Reason = "other_tool"
	ReasonOtherCaller   Reason = "other_caller"
	ReasonOtherArgs     Reason = "other_arguments"
	ReasonTargetChanged Reason = "target_changed"
	// ReasonUnavailable: every check passed but the shared ledger could not
	// record the redemption, so the call must not run (fail closed).
	ReasonUnavailable Reason = "ledger_unavailable"
)

// Refusal is the error Redeem returns: Reason for code, Msg for the agent.
// Redeem returns it as *Refusal; use errors.As or ReasonOf.
type Refusal struct {
	Reason Reason
	Msg    string // a full sentence: what failed and what to do next
}

func (r Refusal) Error() string { return r.Msg }

// Is makes errors.Is(err, &Refusal{Reason: ReasonExpired}) match on the
// reason alone, so callers need not know the message.
func (r Refusal) Is(target error) bool {
	switch t := target.(type) {
	case *Refusal:
		return t != nil && t.Reason == r.Reason
	case Refusal:
		return t.Reason == r.Reason
	}
	return false
}

// ReasonOf returns the Reason of a Refusal in err's chain, or "" if there is none.
func ReasonOf(err error) Reason {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	var v Refusal
	if errors.As(err, &v) {
		return v.Reason
	}
	return ""
}

// Token layout. The payload is binary to keep tokens short enough for an
// agent to copy back verbatim:
//
//	version(1) kind(1) nonce(16) expiry(8) caller(16) args(16) target(16) tool(rest)
//
// followed by HMAC-SHA256(payload). Caller, Args and Target are stored as
// keyed, truncated digests: the caller ID must not appear in clear, and a
// keyed digest cannot be reversed by guessing low-entropy IDs offline. The
// tool name stays in clear so a refusal can say which tool the token is for.
const (
	tokenVersion = 2
	nonceLen     = 16
	claimLen     = 16
	offKind      = 1
	offNonce     = offKind + 1
	offExpiry    = offNonce + nonceLen
	offCaller    = offExpiry + 8
	offArgs      = offCaller + claimLen
	offTarget    = offArgs + claimLen
	offTool      = offTarget + claimLen
	macLen       = sha256.Size
	// maxToken bounds the work Redeem does on hostile input; real tokens
	// are ~150 characters.
	maxToken = 2048
)

// b64 is strict: no padding and no stray trailing bits are accepted.
var b64 = base64.RawURLEncoding.Strict()

// Tokens mints and redeems confirm tokens. It is safe for concurrent use.
//
// Expiry is kept as an offset from the Tokens' creation rather than as wall
// time: tokens never outlive the process (the key is per process), and a
// clock that only moves forward means a used nonce can be forgotten once its
// expiry has passed without a backwards clock step making it redeemable again.
//
// With a key from outside (NewTokensWithKey) several processes share tokens:
// start is then the Unix epoch, so expiry is wall time every process reads
// alike, and the ledger of used tokens must be shared too (UseLedger).
type Tokens struct {
	ttl      time.Duration
	now      func() time.Time
	start    time.Time
	macKey   []byte
	claimKey []byte
	ledger   Ledger

	mu      sync.Mutex
	elapsed time.Duration // highest clock reading seen, relative to start
}

// Ledger remembers which tokens were redeemed. Times are offsets on the
// Tokens clock; exp-now is the token's remaining lifetime, after which the
// expiry check refuses it anyway and the ledger may forget it.
type Ledger interface {
	// Claim marks nonce used and reports true, atomically, unless it
	// already was used (false). An error means nothing is known, and the
	// redemption must fail closed.
	Claim(nonce []byte, now, exp time.Duration) (bool, error)
	// Used reports whether nonce was claimed. It only orders refusals
	// (already used before other mismatches), so callers may ignore errors.
	Used(nonce []byte, now time.Duration) (bool, error)
}

// MemoryLedger is the in-process Ledger, the default.
type MemoryLedger struct {
	mu   sync.Mutex
	used map[[nonceLen]byte]time.Duration // nonce → expiry, only until expiry
}

// NewMemoryLedger returns an empty in-process ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{used: make(map[[nonceLen]byte]time.Duration)}
}

// Claim implements Ledger.
func (l *MemoryLedger) Claim(nonce []byte, now, exp time.Duration) (bool, error) {
	var n [nonceLen]byte
	copy(n[:], nonce)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	if _, used := l.used[n]; used {
		return false, nil
	}
	l.used[n] = exp
	return true, nil
}

// Used implements Ledger.
func (l *MemoryLedger) Used(nonce []byte, now time.Duration) (bool, error) {
	var n [nonceLen]byte
	copy(n[:], nonce)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	_, used := l.used[n]
	return used, nil
}

func (l *MemoryLedger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.used)
}

// NewTokens returns a Tokens with a fresh random key. ttl <= 0 means
// DefaultTTL; now == nil means time.Now.
func NewTokens(ttl time.Duration, now func() time.Time) *Tokens {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	var master [32]byte
	_, _ = rand.Read(master[:]) // crypto/rand.Read never fails (it aborts the process instead)
	return &Tokens{
		ttl:      ttl,
		now:      now,
		start:    now(),
		macKey:   derive(master[:], "owui-mcp confirm token mac"),
		claimKey: derive(master[:], "owui-mcp confirm token claims"),
		ledger:   NewMemoryLedger(),
	}
}

// MinKeyLen is the shortest master key NewTokensWithKey accepts.
const MinKeyLen = 32

// NewTokensWithKey is NewTokens with the master key given (e.g. read from
// --confirm-key-file), so that every process holding the same key verifies
// every token. Expiry is then wall time (offset from the Unix epoch): the
// processes' clocks must agree to within a small part of ttl. Pair it with a
// shared Ledger (UseLedger), or a token could be redeemed once per process.
func NewTokensWithKey(ttl time.Duration, now func() time.Time, key []byte) (*Tokens, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("the confirmation key is too short (%d bytes, need at least %d; e.g. openssl rand -hex 32)", len(key), MinKeyLen)
	}
	t := NewTokens(ttl, now)
	t.start = time.Unix(0, 0)
	t.macKey = derive(key, "owui-mcp confirm token mac")
	t.claimKey = derive(key, "owui-mcp confirm token claims")
	return t, nil
}

// UseLedger replaces the in-process ledger, before the first Redeem.
func (t *Tokens) UseLedger(l Ledger) { t.ledger = l }

// derive gives each use of the master key its own subkey, so a claim digest
// can never double as a valid MAC.
func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// TTL is how long a minted token stays valid.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// clock returns the current offset from start, never smaller than one seen
// before. Callers hold t.mu.
func (t *Tokens) clock() time.Duration {
	if d := t.now().Sub(t.start); d > t.elapsed {
		t.elapsed = d
	}
	return t.elapsed
}

// claim is the keyed digest of one claim; the label keeps a value given as
// Args from matching the same value given as Target.
func (t *Tokens) claim(label, v string) []byte {
	m := hmac.New(sha256.New, t.claimKey)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)[:claimLen]
}

func (t *Tokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.macKey)
	m.Write(payload)
	return m.Sum(nil)
}

// Mint returns an opaque, URL-safe token for c, valid for TTL. The tool name
// travels in the token, so a name over ~1500 bytes would make a token Redeem
// rejects as malformed; MCP tool names are at most 128.
func (t *Tokens) Mint(c Claims) string { return t.MintTTL(c, t.ttl) }

// MintTTL is Mint with its own lifetime (ttl <= 0 means the Tokens' TTL):
// an elicitation's requestState lives as long as the human may take to
// answer, not as long as a confirm_token.
func (t *Tokens) MintTTL(c Claims, ttl time.Duration) string {
	if ttl <= 0 {
		ttl = t.ttl
	}
	t.mu.Lock()
	exp := t.clock() + ttl
	t.mu.Unlock()

	p := make([]byte, offTool, offTool+len(c.Tool))
	p[0] = tokenVersion
	p[offKind] = byte(c.Kind)
	_, _ = rand.Read(p[offNonce:offExpiry])
	binary.BigEndian.PutUint64(p[offExpiry:offCaller], uint64(exp))
	copy(p[offCaller:offArgs], t.claim("caller", c.Caller))
	copy(p[offArgs:offTarget], t.claim("args", c.Args))
	copy(p[offTarget:offTool], t.claim("target", c.Target))
	p = append(p, c.Tool...)
	return b64.EncodeToString(p) + "." + b64.EncodeToString(t.mac(p))
}

// Redeem checks token against want and, only if every check passes, marks it
// used in the ledger (atomically: of concurrent redemptions, one wins). A
// ledger failure is a refusal too (ReasonUnavailable). Checks run in this
// order: malformed, forged, other kind, expired, already used, other tool,
// other caller, other arguments, target changed. A failure is a *Refusal;
// nothing is marked used then.
func (t *Tokens) Redeem(token string, want Claims) error {
	payload, sig, ok := decodeToken(token)
	tool := ""
	if ok {
		tool = string(payload[offTool:])
	}
	// refuse, worded for what was sent: a requestState comes from the
	// client, not the agent, and its next step is to be asked again.
	fail := func(r Reason, format string, args ...any) *Refusal {
		if want.Kind == KindRequestState {
			return stateRefusal(r, want.Tool, tool)
		}
		return refuse(r, format, args...)
	}
	if !ok {
		return fail(ReasonMalformed, "the confirm_token is malformed (pass it back exactly as the preview returned it): call %s again without confirm_token for a fresh preview if you no longer have it", toolName(want.Tool))
	}
	if !hmac.Equal(sig, t.mac(payload)) {
		return fail(ReasonForged, "the confirm_token was not issued by this server process (tokens do not survive a restart, and cannot be edited): call %s again without confirm_token for a fresh preview", toolName(want.Tool))
	}
	if got := Kind(payload[offKind]); got != want.Kind {
		return refuse(ReasonOtherKind, "the value given as %s was issued as %s, and is refused as anything else (only the user's own answer confirms an elicitation): call %s again without it for a fresh preview", want.Kind, got.article(), toolName(want.Tool))
	}

	var nonce [nonceLen]byte
	copy(nonce[:], payload[offNonce:offExpiry])
	exp := time.Duration(binary.BigEndian.Uint64(payload[offExpiry:offCaller]))
	// Compared before taking the lock; applied below in the documented order.
	otherTool := tool != want.Tool
	otherCaller := !hmac.Equal(payload[offCaller:offArgs], t.claim("caller", want.Caller))
	otherArgs := !hmac.Equal(payload[offArgs:offTarget], t.claim("args", want.Args))
	otherTarget := !hmac.Equal(payload[offTarget:offTool], t.claim("target", want.Target))

	t.mu.Lock()
	now := t.clock()
	t.mu.Unlock()
	// Only consulted for the order of refusals; a token that passes every
	// check is claimed atomically below, whatever this said.
	used := false
	if now < exp {
		used, _ = t.ledger.Used(nonce[:], now)
	}

	switch {
	case now >= exp:
		return fail(ReasonExpired, "the confirm_token expired %s (tokens live %s): call %s again without confirm_token for a fresh preview", ago(now-exp), HumanDuration(t.ttl), toolName(want.Tool))
	case used:
		return fail(ReasonUsed, "the confirm_token was already used, and each token confirms exactly one call: call %s again without confirm_token for a fresh preview", toolName(want.Tool))
	case otherTool:
		return fail(ReasonOtherTool, "the confirm_token was issued for tool %q, not %q: confirm with the tool that produced the preview, or call %s without confirm_token for its own preview", tool, want.Tool, toolName(want.Tool))
	case otherCaller:
		return fail(ReasonOtherCaller, "the confirm_token was issued to a different caller: call %s again without confirm_token for a preview of your own", toolName(want.Tool))
	case otherArgs:
		return fail(ReasonOtherArgs, "the arguments differ from those of the preview that issued this confirm_token: repeat the previewed call with exactly the same arguments, or call %s without confirm_token to preview the new ones", toolName(want.Tool))
	case otherTarget:
		return fail(ReasonTargetChanged, "the target changed in Open WebUI since the preview, so nothing was done: call %s again without confirm_token, show the user the fresh preview, and confirm that one", toolName(want.Tool))
	}
	fresh, err := t.ledger.Claim(nonce[:], now, exp)
	if err != nil {
		return &Refusal{Reason: ReasonUnavailable, Msg: fmt.Sprintf("the confirmation could not be recorded as used because the shared state store is unreachable (%v), so nothing was changed: call %s again with the same confirm_token in a moment; if it is then reported as already used, call %s without confirm_token for a fresh preview", err, toolName(want.Tool), toolName(want.Tool))}
	}
	if !fresh {
		return fail(ReasonUsed, "the confirm_token was already used, and each token confirms exactly one call: call %s again without confirm_token for a fresh preview", toolName(want.Tool))
	}
	return nil
}

// Binds reports whether token is one this process issued (or a replica
// sharing its key) for exactly want: kind, tool, caller, arguments and
// target. It uses nothing up and ignores expiry and the ledger, which
// Redeem checks: it only lets a confirming call test whether a cheaper
// re-read reproduced the very state the preview bound, before it pays for
// the full one. A false answer says nothing about why.
func (t *Tokens) Binds(token string, want Claims) bool {
	payload, sig, ok := decodeToken(token)
	if !ok || !hmac.Equal(sig, t.mac(payload)) || Kind(payload[offKind]) != want.Kind || string(payload[offTool:]) != want.Tool {
		return false
	}
	return hmac.Equal(payload[offCaller:offArgs], t.claim("caller", want.Caller)) &&
		hmac.Equal(payload[offArgs:offTarget], t.claim("args", want.Args)) &&
		hmac.Equal(payload[offTarget:offTool], t.claim("target", want.Target))
}

// prune forgets used nonces whose tokens have expired: the expiry check
// refuses those before the used-set is consulted, so the set only needs the
// tokens still alive and stays bounded by what can be redeemed within one TTL.
// Callers hold l.mu.
func (l *MemoryLedger) prune(now time.Duration) {
	for n, exp := range l.used {
		if now >= exp {
			delete(l.used, n)
		}
	}
}

// decodeToken splits a structurally valid token: two
// base64url parts, a MAC of the right size and a payload at least as long as
// the fixed fields. The version byte is not checked here, so that any edit of
// a real token is reported as forged, not malformed.
func decodeToken(token string) (payload, sig []byte, ok bool) {
	if len(token) == 0 || len(token) > maxToken {
		return nil, nil, false
	}
	p, s, ok := strings.Cut(token, ".")
	if !ok || strings.IndexByte(s, '.') >= 0 {
		return nil, nil, false
	}
	payload, err := b64.DecodeString(p)
	if err != nil || len(payload) < offTool {
		return nil, nil, false
	}
	sig, err = b64.DecodeString(s)
	if err != nil || len(sig) != macLen {
		return nil, nil, false
	}
	return payload, sig, true
}

// stateRefusal is the refusal of an elicitation requestState (2026-07-28):
// the client sent it back, and the way on is a new question.
func stateRefusal(r Reason, want, issued string) *Refusal {
	const noun = "the elicitation requestState"
	var what string
	switch r {
	case ReasonMalformed:
		what = noun + " is malformed (it must come back exactly as the server sent it)"
	case ReasonForged:
		what = noun + " was not issued by this server process (they do not survive a restart, and cannot be edited)"
	case ReasonExpired:
		what = noun + " expired"
	case ReasonUsed:
		what = noun + " was already used, and each one confirms exactly one call"
	case ReasonOtherTool:
		what = fmt.Sprintf("%s was issued for tool %q, not %q", noun, issued, want)
	case ReasonOtherCaller:
		what = noun + " was issued to a different caller"
	case ReasonOtherArgs:
		what = "the arguments differ from those of the question this elicitation requestState belongs to"
	case ReasonTargetChanged:
		what = "the target changed in Open WebUI since the user was asked, so nothing was done"
	default:
		what = noun + " was refused (" + string(r) + ")"
	}
	return &Refusal{Reason: r, Msg: fmt.Sprintf("%s: call %s again without requestState and inputResponses; the user will be asked again", what, toolName(want))}
}

func refuse(r Reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: r, Msg: fmt.Sprintf(format, args...)}
}

func toolName(s string) string {
	if s == "" {
		return "the tool"
	}
	return s
}

func ago(d time.Duration) string {
	if d < time.Second {
		return "just now"
	}
	return HumanDuration(d) + " ago"
}

// HumanDuration prints a duration the way a person would say it: "5m", "2m30s", "1h".
func HumanDuration(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
