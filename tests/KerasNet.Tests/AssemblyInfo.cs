// Keras's automatic names come from process-wide counters (as in Python), and kernels already use every core,
// so test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
