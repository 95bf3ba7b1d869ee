package workflows

import (
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"
)

// Interceptor keeps hrsync's internal signal — a sync run telling its
// integration it is blocked — out of what the Web UI offers. The Send
// Signal dialog lists every signal channel a workflow asked for (the SDK's
// __temporal_workflow_metadata query); with this interceptor on the worker
// the integration takes the notice from a channel of its own instead, so
// only approve and reject are offered. A worker without it still works:
// the integration then asks for the signal's channel as before.
type Interceptor struct {
	interceptor.WorkerInterceptorBase
}

// InterceptWorkflow implements interceptor.WorkerInterceptor.
func (*Interceptor) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &internalSignals{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

// internalSignals routes one workflow execution's internal signals to a
// channel the workflow finds in its context.
type internalSignals struct {
	interceptor.WorkflowInboundInterceptorBase
	blocked workflow.Channel
}

// blockedKey is the context key of the channel of sync-blocked notices.
type blockedKey struct{}

func (i *internalSignals) channel(ctx workflow.Context) workflow.Channel {
	if i.blocked == nil {
		i.blocked = workflow.NewBufferedChannel(ctx, 100)
	}
	return i.blocked
}

func (i *internalSignals) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	return i.Next.ExecuteWorkflow(workflow.WithValue(ctx, blockedKey{}, i.channel(ctx)), in)
}

// HandleSignal takes sync-blocked itself; the channel decodes its payload
// when the integration receives it, as the SDK's own would.
func (i *internalSignals) HandleSignal(ctx workflow.Context, in *interceptor.HandleSignalInput) error {
	if in.SignalName != signalSyncBlocked {
		return i.Next.HandleSignal(ctx, in)
	}
	if !i.channel(ctx).SendAsync(in.Arg) {
		workflow.GetLogger(ctx).Warn("Too many sync-blocked notices pending; one dropped")
	}
	return nil
}

// blockedChannel is where the integration receives its runs' sync-blocked
// notices: the interceptor's channel, or the signal's own without it.
func blockedChannel(ctx workflow.Context) workflow.ReceiveChannel {
	if ch, ok := ctx.Value(blockedKey{}).(workflow.Channel); ok {
		return ch
	}
	return workflow.GetSignalChannel(ctx, signalSyncBlocked)
}
