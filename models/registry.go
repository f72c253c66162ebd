package models

// Builtin returns fresh instances of every built-in neuron and device model with NEST's defaults.
// Each kernel owns its own instances, so SetDefaults and CopyModel never leak between kernels.
func Builtin() (neurons []NeuronModel, devices []*DeviceModel) {
	neurons = []NeuronModel{
		NewIafPscAlpha(),
		NewIafPscDelta(),
		NewIafPscExp(),
		NewParrotNeuron(),
		NewIzhikevich(),
		NewIafCondExp(),
		NewIafCondAlpha(),
		NewAeifCondAlpha(),
		NewHhPscAlpha(),
	}
	devices = []*DeviceModel{
		NewSpikeRecorder(),
		NewMultimeter("multimeter", nil),
		NewMultimeter("voltmeter", []string{"V_m"}),
		NewWeightRecorder(),
		NewDCGenerator(),
		NewPoissonGenerator(),
		NewNoiseGenerator(),
		NewSpikeGenerator(),
		NewStepCurrentGenerator(),
	}
	return neurons, devices
}

// OldNames maps model names of older NEST versions to their current names.
var OldNames = map[string]string{"spike_detector": "spike_recorder"}
