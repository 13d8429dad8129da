package raycluster

// EventReason is the reason of an event the operator emits on a RayCluster. Events are emitted
// on changes only, one per step rather than one per pod, because every event is an API write.
type EventReason string

// The reasons of the operator's events. Normal events say what went as planned; Warning events
// say what went wrong.
const (
	CreatedHeadPod          EventReason = "CreatedHeadPod"
	CreatedWorkerPod        EventReason = "CreatedWorkerPod"
	DeletedHeadPod          EventReason = "DeletedHeadPod"
	DeletedWorkerPod        EventReason = "DeletedWorkerPod"
	DeletedAllPods          EventReason = "DeletedAllPods"
	CreatedService          EventReason = "CreatedService"
	CreatedIngress          EventReason = "CreatedIngress"
	CreatedRBAC             EventReason = "CreatedRBAC"
	CreatedSecret           EventReason = "CreatedSecret"
	FailedToCreateHeadPod   EventReason = "FailedToCreateHeadPod"
	FailedToCreateWorkerPod EventReason = "FailedToCreateWorkerPod"
	FailedToDeletePod       EventReason = "FailedToDeletePod"
	FailedToCreateService   EventReason = "FailedToCreateService"
	FailedToCreateIngress   EventReason = "FailedToCreateIngress"
	FailedToCreateRBAC      EventReason = "FailedToCreateRBAC"
	FailedToCreateSecret    EventReason = "FailedToCreateSecret"
	RayConfigError          EventReason = "RayConfigError"
	InvalidSpec             EventReason = "InvalidSpec"
	UnsupportedField        EventReason = "UnsupportedField"
	DeprecatedField         EventReason = "DeprecatedField"
	StateChanged            EventReason = "StateChanged"
	HeadServiceOutdated     EventReason = "HeadServiceOutdated"
)

// The actions of events (the events.k8s.io API asks what the operator did or failed to do).
const (
	actionCreate    = "Create"
	actionDelete    = "Delete"
	actionValidate  = "Validate"
	actionReconcile = "Reconcile"
)
