namespace Alignment.Domain.Access;

/// <summary>Who is asking: the role of their API key and, for product owners, their e-mail (which scopes them to their teams).</summary>
public sealed record Viewer(string Name, string Role, string? Email)
{
    public const string Admin = "admin", Pmo = "pmo", ProductOwner = "productOwner", Management = "management";

    public static readonly Viewer System = new("system", Admin, null);

    /// <summary>Null when every team is visible; else the e-mail whose teams are visible.</summary>
    public string? TeamScope => Role == ProductOwner ? Email ?? "" : null;
}
