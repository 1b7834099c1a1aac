package app

import (
	"os"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/wenming-platform/wenming/services/platform/rpc"
)

// Every Wenming service in the proto registry is in the service table, registers, and
// declares a rule for each of its methods: the server refuses to start otherwise.
func TestEveryServiceIsInTheTable(t *testing.T) {
	srv, err := rpc.NewServer(rpc.Options{}, func(s *grpc.Server) {
		for _, svc := range services {
			svc.register(s, &parts{})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	rules := srv.Rules()
	found := 0
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(f.Package()), "wenming.") {
			return true
		}
		for i := range f.Services().Len() {
			sd := f.Services().Get(i)
			found++
			if _, ok := srv.GetServiceInfo()[string(sd.FullName())]; !ok {
				t.Errorf("service %s is in no entry of the service table", sd.FullName())
			}
			for j := range sd.Methods().Len() {
				if full := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(j).Name()); rules[full] == nil {
					t.Errorf("%s declares no access rule", full)
				}
			}
		}
		return true
	})
	if found == 0 {
		t.Fatal("no Wenming service in the proto registry")
	}
	ports := map[int]string{}
	for _, svc := range services {
		if other, dup := ports[svc.Port]; dup || svc.Port == 0 {
			t.Errorf("%s and %s share port %d", svc.Name, other, svc.Port)
		}
		ports[svc.Port] = svc.Name
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		mut     func(c *Config)
		setting string
	}{
		{"unknown service", func(c *Config) { c.Run = []string{"tenancy", "reviews"} }, "serve"},
		{"unknown upstream", func(c *Config) { c.Upstreams = map[string]string{"evidenc": "127.0.0.1:1"} }, "--upstream"},
		{"upstream without a port", func(c *Config) { c.Upstreams = map[string]string{"review": "localhost"} }, "--upstream review"},
		{"http address", func(c *Config) { c.HTTPAddr = "8080" }, "--http-addr"},
		{"metrics address", func(c *Config) { c.MetricsAddr = "localhost" }, "--metrics-addr"},
		{"database URL", func(c *Config) { c.DatabaseURL = "postgres://" }, "--database-url"},
		{"redis URL", func(c *Config) { c.RedisURL = "http://x" }, "--redis-url"},
		{"two master keys", func(c *Config) { c.MasterKey, c.MasterKeyFile = "k", "f" }, "--master-key-file"},
		{"demo without standards", func(c *Config) { c.Demo, c.Run = true, []string{"tenancy"} }, "--demo"},
	} {
		cfg := DefaultConfig()
		c.mut(&cfg)
		cfg.defaults()
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.setting) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.setting)
		}
	}
	cfg := DefaultConfig()
	cfg.Upstreams = map[string]string{"tenancy": "dns:///wenming-tenancy:9090"}
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		t.Errorf("the default configuration with a resolver upstream: %v", err)
	}
	one := DefaultConfig()
	one.Run = []string{"review"}
	one.defaults()
	if one.GRPCAddr != ":9094" {
		t.Errorf("review alone listens on %s, want its own port :9094", one.GRPCAddr)
	}
}

// The deployment material in deploy/ runs every service of the table, each in its own
// process, and points the gateway at each: a service added to the table and forgotten
// there fails here. The Helm chart's split shape ranges over its list of gRPC services
// (whose gateway variables WENMING_<SERVICE>_ADDR it derives from the names), and each has
// its values and their schema; deploy/scripts/validate.sh renders and checks the chart.
func TestDeployRunsEveryService(t *testing.T) {
	read := func(f string) string {
		b, err := os.ReadFile("../../../deploy/" + f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	compose, helpers := read("compose.yaml"), read("helm/wenming/templates/_helpers.tpl")
	values, schema := read("helm/wenming/values.yaml"), read("helm/wenming/values.schema.json")
	list := helpers[strings.Index(helpers, `define "wenming.grpcServices"`):]
	list = list[:strings.Index(list, "end")]
	for _, svc := range services {
		if !strings.Contains(compose, `["serve", "`+svc.Name+`"]`) {
			t.Errorf("deploy/compose.yaml runs no %s process", svc.Name)
		}
		if !strings.Contains(list, "\n- "+svc.Name+"\n") {
			t.Errorf("the chart's wenming.grpcServices does not list %s", svc.Name)
		}
		if !strings.Contains(values, "\n  "+svc.Name+":\n") {
			t.Errorf("the chart's values.yaml has no services.%s", svc.Name)
		}
		if !strings.Contains(schema, `"`+svc.Name+`"`) {
			t.Errorf("the chart's values.schema.json does not know %s", svc.Name)
		}
	}
}
