[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// One shared daemon and registry, whose image store the tests change: no parallel collections.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
