// The engines are heavy (a daemon, shims, overlay mounts): one scenario at a time, on a 2-core machine too.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
