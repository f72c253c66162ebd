package kernel

import "time"

// timers are the kernel's phase timers (NEST's Stopwatches), in wall time on this rank. They are
// read per phase and per slice, never per neuron or per spike: Create, Connect and Prepare time
// their whole call; the exchange times its collectives (communicate) and the rest of the
// exchange (collocate: gathering the threads' registers, packing, unpacking, sorting).
type timers struct {
	simulate, create, connect, prepare time.Duration
	collocate, communicate             time.Duration
}

// vpTimers are the per-thread timers of one virtual process, each read twice a slice: deliver
// (the spikes of the previous slice into the ring buffers, and the samplers' commit) and update
// (devices and neurons over the slice's steps).
type vpTimers struct {
	update, deliver time.Duration
}

// since adds the time elapsed from start to *d (deferred by the timed calls).
func (t *timers) since(d *time.Duration, start time.Time) { *d += time.Since(start) }

// timerStatus adds the timers to a kernel status under NEST's names, in seconds. A thread's
// update and deliver run in parallel with the other threads', so the kernel reports the slowest
// thread (the one the slice waits for), as NEST reports its master thread's.
func (k *Kernel) timerStatus(p Params) {
	var vt vpTimers
	for _, st := range k.vps {
		vt.update, vt.deliver = max(vt.update, st.timers.update), max(vt.deliver, st.timers.deliver)
	}
	t := &k.timers
	for key, d := range map[string]time.Duration{
		"time_simulate":               t.simulate,
		"time_construction_create":    t.create,
		"time_construction_connect":   t.connect,
		"time_communicate_prepare":    t.prepare,
		"time_update":                 vt.update,
		"time_deliver_spike_data":     vt.deliver,
		"time_collocate_spike_data":   t.collocate,
		"time_communicate_spike_data": t.communicate,
		"time_gather_spike_data":      t.collocate + t.communicate,
	} {
		p[key] = d.Seconds()
	}
}

// PhaseTimerKeys are the kernel status keys of the phase timers, in the order beNNch reports them.
func PhaseTimerKeys() []string {
	return []string{"time_construction_create", "time_construction_connect", "time_communicate_prepare",
		"time_simulate", "time_update", "time_collocate_spike_data", "time_communicate_spike_data",
		"time_deliver_spike_data", "time_gather_spike_data"}
}
