package cluster

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestNewClientForms(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		addr      string // of a plain client; "" for Sentinel
		failover  bool
		errSubstr string
	}{
		{name: "redis", cfg: Config{URL: "redis://:s3cret@cache:6380/2"}, addr: "cache:6380"},
		{name: "rediss", cfg: Config{URL: "rediss://cache/0"}, addr: "cache:6379"},
		{name: "unix", cfg: Config{URL: "unix:///run/redis.sock"}, addr: "/run/redis.sock"},
		{name: "redis+sentinel", cfg: Config{URL: "redis+sentinel://:s3cret@s1:26379,s2/mymaster/1"}, failover: true},
		{name: "open webui form", cfg: Config{URL: "redis://:s3cret@mymaster/0", SentinelHosts: "s1,s2:26380"}, failover: true},
		{name: "sentinel without master", cfg: Config{URL: "redis+sentinel://s1:26379"}, errSubstr: "names the master"},
		{name: "both sentinel forms", cfg: Config{URL: "redis+sentinel://s1/m", SentinelHosts: "s2"}, errSubstr: "lists its sentinels itself"},
		{name: "bad scheme", cfg: Config{URL: "http://:s3cret@cache"}, errSubstr: "invalid --redis-url"},
		{name: "bad db", cfg: Config{URL: "redis://:s3cret@mymaster/x", SentinelHosts: "s1"}, errSubstr: `database "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newClient(tt.cfg)
			if tt.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSubstr) || strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("err %v, want one containing %q and no password", err, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rc, ok := c.(*redis.Client)
			if !ok {
				t.Fatalf("client %T", c)
			}
			if !tt.failover && rc.Options().Addr != tt.addr {
				t.Fatalf("addr %q, want %q", rc.Options().Addr, tt.addr)
			}
			if tt.failover && rc.Options().Addr != "FailoverClient" {
				t.Fatalf("addr %q, want a Sentinel (failover) client", rc.Options().Addr)
			}
			if rc.Options().MaxRetries > 0 {
				t.Errorf("MaxRetries %d: a retried SET NX could misreport a fresh token as used", rc.Options().MaxRetries)
			}
		})
	}
	if got := Redacted("redis://:s3cret@cache:6379/0"); strings.Contains(got, "s3cret") {
		t.Fatalf("Redacted leaks the password: %s", got)
	}
}
