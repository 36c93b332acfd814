// A client nobody here wrote: Debian's Go SDK v2, built in GOPATH mode with no module download.
// It takes credentials from the default chain (the environment picks the container endpoint or
// IMDS), calls STS GetCallerIdentity at the endpoint given as its argument, and prints one JSON
// line. With -imds it also reads the facade's metadata, as tools that only speak IMDS do.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type report struct {
	AccessKeyID        string `json:"accessKeyId"`
	Account            string `json:"Account"`
	Region             string `json:"region,omitempty"`
	InstanceID         string `json:"instanceId,omitempty"`
	AvailabilityZone   string `json:"availabilityZone,omitempty"`
	PlacementRegion    string `json:"placementRegion,omitempty"`
	InstanceProfileArn string `json:"instanceProfileArn,omitempty"`
	IdentityAccountID  string `json:"identityAccountId,omitempty"`
}

func main() {
	useImds := flag.Bool("imds", false, "also read metadata and the region from IMDS")
	flag.Parse()
	if flag.NArg() != 1 {
		fail(fmt.Errorf("usage: go-client [-imds] STS_ENDPOINT_URL"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	opts := []func(*config.LoadOptions) error{}
	if *useImds {
		opts = append(opts, config.WithEC2IMDSRegion())
	} else {
		opts = append(opts, config.WithRegion("us-east-1"))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fail(err)
	}
	out := report{Region: cfg.Region}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		fail(err)
	}
	out.AccessKeyID = creds.AccessKeyID

	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.EndpointResolver = sts.EndpointResolverFromURL(flag.Arg(0))
	})
	identity, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fail(err)
	}
	out.Account = aws.ToString(identity.Account)

	if *useImds {
		readMetadata(ctx, imds.NewFromConfig(cfg), &out)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func readMetadata(ctx context.Context, client *imds.Client, out *report) {
	out.InstanceID = metadata(ctx, client, "instance-id")
	out.AvailabilityZone = metadata(ctx, client, "placement/availability-zone")
	out.PlacementRegion = metadata(ctx, client, "placement/region")
	info, err := client.GetIAMInfo(ctx, &imds.GetIAMInfoInput{})
	if err != nil {
		fail(err)
	}
	out.InstanceProfileArn = info.InstanceProfileArn
	doc, err := client.GetInstanceIdentityDocument(ctx, &imds.GetInstanceIdentityDocumentInput{})
	if err != nil {
		fail(err)
	}
	out.IdentityAccountID = doc.AccountID
}

func metadata(ctx context.Context, client *imds.Client, path string) string {
	res, err := client.GetMetadata(ctx, &imds.GetMetadataInput{Path: path})
	if err != nil {
		fail(err)
	}
	defer res.Content.Close()
	body, err := io.ReadAll(res.Content)
	if err != nil {
		fail(err)
	}
	return string(body)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-client:", err)
	os.Exit(1)
}
