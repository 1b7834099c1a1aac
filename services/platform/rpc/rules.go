package rpc

import (
	"fmt"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	authzv1 "github.com/wenming-platform/wenming/api/gen/wenming/authz/v1"
)

// Rules maps a full method name ("/pkg.Service/Method") to its declared access rule.
type Rules map[string]*authzv1.Rule

// infrastructure services are not ours and declare no rules; health checks and reflection
// are open, as every gRPC deployment expects.
var infrastructure = map[string]bool{
	"grpc.health.v1.Health":                    true,
	"grpc.reflection.v1.ServerReflection":      true,
	"grpc.reflection.v1alpha.ServerReflection": true,
}

// LoadRules reads the rule of every method served by srv, unary or streaming, from the
// compiled proto descriptors. It returns, sorted, the methods that declare no rule, which
// the interceptors deny.
func LoadRules(srv *grpc.Server) (Rules, []string, error) {
	rules := Rules{}
	var missing []string
	for name, info := range srv.GetServiceInfo() {
		if infrastructure[name] {
			continue
		}
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, nil, fmt.Errorf("rpc: service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, nil, fmt.Errorf("rpc: %s is not a service", name)
		}
		// The methods come from what is registered (info.Methods lists streams too), so a
		// handler whose descriptor lacks the method cannot slip past as "no method, no rule".
		for _, mi := range info.Methods {
			full := "/" + name + "/" + mi.Name
			m := sd.Methods().ByName(protoreflect.Name(mi.Name))
			if m == nil || m.Options() == nil || !proto.HasExtension(m.Options(), authzv1.E_Rule) {
				missing = append(missing, full)
				continue
			}
			rules[full] = proto.GetExtension(m.Options(), authzv1.E_Rule).(*authzv1.Rule)
		}
	}
	slices.Sort(missing)
	return rules, missing, nil
}

func isInfrastructure(fullMethod string) bool {
	for name := range infrastructure {
		if len(fullMethod) > len(name)+1 && fullMethod[1:len(name)+1] == name && fullMethod[len(name)+1] == '/' {
			return true
		}
	}
	return false
}
