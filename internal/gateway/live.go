package gateway

import "github.com/railyard-ai/railyard/internal/route"

// Health returns the targets' live state, which outlives every table.
func (g *Gateway) Health() *route.Health { return g.planner.Health }

// HealthSnapshot is the live state of every configured target of the
// current routing table (the console's providers page): it reads the
// table the gateway serves now, so a reload shows at once, and the live
// state the reload kept.
func (g *Gateway) HealthSnapshot() []route.TargetHealth {
	return g.planner.Health.Snapshot(g.table.Load())
}
