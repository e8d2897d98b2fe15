namespace Carton.ImageCli;

/// <summary>`carton image rm REF...`: removes the names. Blobs and snapshots stay until `carton image prune`.</summary>
public static class RemoveCommand
{
    public static Command Build()
    {
        var references = new Argument<string[]>("reference") { Description = "image references", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("rm", "remove images from the store's index") { references };
        cmd.Aliases.Add("remove");
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            int status = 0;
            foreach (var r in parse.GetValue(references)!)
            {
                if (await store.RemoveAsync(r, ct)) Console.Out.WriteLine(r);
                else
                {
                    Console.Error.WriteLine($"carton image rm: no image \"{r}\" in the store");
                    status = ErrorTable.Of(ErrorKind.NotFound).ExitCode;
                }
            }
            return status;
        }));
        return cmd;
    }
}
