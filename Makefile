# nest-mpi: `make run` runs the main job, `make test` runs every test (installing OpenMPI when
# missing and running the MPI tests under mpirun, and the Slurm test on a one-node cluster).

GO      ?= go
BIN     := bin
MPICC   := $(shell command -v mpicc 2>/dev/null)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_rmaps_base_oversubscribe := 1

# The Python the tests run with: the first that has numpy, pandas and matplotlib (Debian's
# packages install them for /usr/bin/python3, which another python3 on PATH may shadow).
PYTHON  ?= $(shell for p in python3 /usr/bin/python3; do $$p -c 'import numpy, pandas, matplotlib' >/dev/null 2>&1 && { echo $$p; exit 0; }; done; echo python3)

.PHONY: all build build-mpi run test test-go test-mpi test-python test-slurm mpi-deps slurm-deps lint bench bench-mpi bench-python bench-goals clean

all: build

build:
	$(GO) build -o $(BIN)/nest-mpi ./cmd/nest-mpi
ifneq ($(MPICC),)
	CC=mpicc $(GO) build -tags mpi -o $(BIN)/nest-mpi-mpi ./cmd/nest-mpi
endif

build-mpi: mpi-deps
	CC=mpicc $(GO) build -tags mpi -o $(BIN)/nest-mpi-mpi ./cmd/nest-mpi

# The main job: the balanced E/I network with STDP, on the single-process communicator.
run: build
	$(BIN)/nest-mpi run examples/ei_network.json --out out/ei_network --plot

# Installs OpenMPI from Debian's packages when mpicc is missing.
mpi-deps:
	@command -v mpicc >/dev/null 2>&1 || { \
	  echo "installing OpenMPI (libopenmpi-dev openmpi-bin)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenmpi-dev openmpi-bin >/dev/null; }

# Installs Slurm and MUNGE from Debian's packages when missing (for test-slurm).
slurm-deps:
	@command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 || { \
	  echo "installing Slurm (slurm-wlm munge)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }

test: mpi-deps lint test-go test-mpi test-python test-slurm

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	CC=mpicc $(GO) vet -tags mpi ./...

test-go:
	$(GO) test -race -timeout 20m ./...

# MPI tests re-launch themselves under mpirun (comm/mpitest); each package runs on 2 and 4 ranks.
test-mpi:
	for np in 2 4; do \
	  NESTMPI_TEST_NP=$$np CC=mpicc $(GO) test -tags mpi -timeout 10m -count=1 ./comm/... || exit 1; \
	  NESTMPI_TEST_NP=$$np CC=mpicc $(GO) test -tags mpi -timeout 10m -count=1 -run 'TestSplitInvariance|TestCheckpointAcrossSplits|TestStopAgreedOverRanks' ./kernel/ || exit 1; \
	done
	CC=mpicc $(GO) test -tags mpi -timeout 10m -count=1 -run 'TestMPI' ./cmd/nest-mpi/

# The Python package nestmpi (python/): the seeds' PyNEST scripts, an interactive session, the
# store/restore example; on 2 MPI processes too when nest-mpi-mpi is built.
test-python: build
	@if command -v mpicc >/dev/null 2>&1; then CC=mpicc $(GO) build -tags mpi -o $(BIN)/nest-mpi-mpi ./cmd/nest-mpi; fi
	cd python/tests && $(PYTHON) -m unittest discover -v

# A one-node Slurm cluster started as root in a temporary folder: job scripts from `nest-mpi
# jobscript` (srun --mpi=pmix and mpirun) give the bytes of a local run; a failing run fails its job.
test-slurm: slurm-deps build build-mpi
	timeout 300 bash jobs/testdata/slurm_e2e.sh

bench:
	$(GO) test -run xxx -bench . -benchmem ./models/ ./kernel/ ./vp/ ./connect/ ./bench/

bench-mpi: mpi-deps
	NESTMPI_TEST_NP=2 CC=mpicc $(GO) test -tags mpi -run xxx -bench . -timeout 20m ./comm/ ./kernel/ ./bench/

# The issue goals' table (hpc_benchmark, Brunel, the E/I network; GOALS_FLAGS=--microcircuit adds
# the full-scale microcircuit): wall times, so on an otherwise idle machine.
bench-goals: build
	$(PYTHON) bench/goals.py --bin $(BIN)/nest-mpi --mpi-bin $(BIN)/nest-mpi-mpi $(GOALS_FLAGS)

# Round trip, GetConnections into pandas, the E/I network from Python against the network file.
bench-python: build
	$(PYTHON) bench/python_bench.py

clean:
	rm -rf $(BIN) out
