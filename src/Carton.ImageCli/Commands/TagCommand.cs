namespace Carton.ImageCli;

/// <summary>`carton image tag SOURCE TARGET`: a second name for an image in the store (the same manifest or index).</summary>
public static class TagCommand
{
    public static Command Build()
    {
        var source = new Argument<string>("source") { Description = "an image in the store: a name, or its manifest's or index's digest" };
        var target = new Argument<string>("target") { Description = "the new name (a tag: name[:tag], not a digest)" };
        var cmd = new Command("tag", "give an image in the store another name") { source, target };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var name = await store.TagAsync(parse.GetValue(source)!, parse.GetValue(target)!, ct);
            Console.Out.WriteLine($"{name}: {store.Get(name)!.Target.Digest}");
            return 0;
        }));
        return cmd;
    }
}
