[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// One daemon, one registry and one network namespace per run: no parallel collections.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
