// Command printprotos writes the third-party .proto files that our protos import
// (google/api/annotations.proto, google/api/http.proto, buf/validate/validate.proto, …)
// back out as source, from the descriptors compiled into the Go modules named in go.mod.
// No Go module ships these files as .proto source, and the schema registry is out of reach,
// so this keeps their versions tied to go.mod and the output byte-identical on every run.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	_ "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	_ "github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2/options"
	//lint:ignore SA1019 protoprint, the only printer of .proto source, takes desc descriptors.
	"github.com/jhump/protoreflect/desc"
	"github.com/jhump/protoreflect/desc/protoprint"
	_ "google.golang.org/genproto/googleapis/api/annotations"
	_ "google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/reflect/protoregistry"
)

var files = []string{
	"google/api/annotations.proto",
	"google/api/http.proto",
	"google/api/field_behavior.proto",
	"google/api/httpbody.proto",
	"buf/validate/validate.proto",
	"protoc-gen-openapiv2/options/annotations.proto",
	"protoc-gen-openapiv2/options/openapiv2.proto",
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: printprotos OUTDIR")
		os.Exit(2)
	}
	out := os.Args[1]
	p := &protoprint.Printer{Compact: false, SortElements: false}
	for _, name := range files {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		d, err := desc.WrapFile(fd)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := p.PrintProtoFile(d, f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
