[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// Every test drives one shared daemon and real containers: no parallel collections.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
