package netfile

import (
	"github.com/nest-mpi/nest-mpi/comm"
	"github.com/nest-mpi/nest-mpi/kernel"
	"github.com/nest-mpi/nest-mpi/models/status"
)

// PhaseTimings are the kernel's phase timers under NEST's names, in seconds (spec-format: run.json
// "timings" holds the largest over ranks, "timings_mean" the mean).
type PhaseTimings struct {
	ConstructionCreate  float64 `json:"time_construction_create"`
	ConstructionConnect float64 `json:"time_construction_connect"`
	CommunicatePrepare  float64 `json:"time_communicate_prepare"`
	Simulate            float64 `json:"time_simulate"`
	Update              float64 `json:"time_update"`
	CollocateSpikeData  float64 `json:"time_collocate_spike_data"`
	CommunicateSpikes   float64 `json:"time_communicate_spike_data"`
	DeliverSpikeData    float64 `json:"time_deliver_spike_data"`
	GatherSpikeData     float64 `json:"time_gather_spike_data"`
}

// fields lists the timings in the order of kernel.PhaseTimerKeys.
func (p *PhaseTimings) fields() []*float64 {
	return []*float64{&p.ConstructionCreate, &p.ConstructionConnect, &p.CommunicatePrepare, &p.Simulate,
		&p.Update, &p.CollocateSpikeData, &p.CommunicateSpikes, &p.DeliverSpikeData, &p.GatherSpikeData}
}

// phaseTimings reads this rank's timers and returns their maximum and mean over ranks (collective).
func phaseTimings(k *kernel.Kernel) (maxT, meanT PhaseTimings, err error) {
	keys := kernel.PhaseTimerKeys()
	ks, err := k.GetKernelStatus(keys...)
	if err != nil {
		return maxT, meanT, err
	}
	mx, sum := make([]float64, len(keys)), make([]float64, len(keys))
	for i, key := range keys {
		mx[i], _ = ks[key].(float64)
	}
	c := k.Comm()
	if err := c.AllreduceFloat64(mx, sum, comm.Sum); err != nil {
		return maxT, meanT, status.Errorf(status.InternalError, "phase timers over ranks: %v", err)
	}
	if err := c.AllreduceFloat64(mx, mx, comm.Max); err != nil {
		return maxT, meanT, status.Errorf(status.InternalError, "phase timers over ranks: %v", err)
	}
	for i, f := range maxT.fields() {
		*f = mx[i]
	}
	for i, f := range meanT.fields() {
		*f = sum[i] / float64(c.Size())
	}
	return maxT, meanT, nil
}
