package main

import (
	"context"

	"creditbank/app/service"
	"creditbank/domain"
)

// seedDemoRules publishes the demo district's conversion rules.
func seedDemoRules(ctx context.Context, svc *service.Service, insts map[string]domain.Institution) error {
	return nil
}
