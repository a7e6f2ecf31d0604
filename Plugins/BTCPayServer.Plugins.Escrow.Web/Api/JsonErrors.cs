using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// Turns System.Text.Json's refusals ("The JSON value could not be converted to System.Int32. Path: $.x | LineNumber…")
/// into a field path as the API names it ("milestones[0].amount") and a sentence that says what was expected, without
/// .NET type names.
/// </summary>
public static partial class JsonErrors
{
    public static (string Path, string Message) Describe(JsonException error, Type root)
    {
        var path = ApiPath(error.Path);
        if (UnknownMember().Match(error.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            // The path names the unknown field itself, or (depending on where the reader stopped) the object holding it.
            var field = path == name || path.EndsWith("." + name, StringComparison.Ordinal) ? path : path.Length == 0 ? name : $"{path}.{name}";
            return (field, $"Unknown field '{Excerpt(name)}'.");
        }
        if (error.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
            return (path, "The JSON is nested too deeply.");
        var target = TargetType(root, path);
        if (target is null)
            return (path, "The body is not valid JSON.");
        return (path, $"Expected {Expected(target)}.");
    }

    /// <summary>"$.milestones[0].amount" → "milestones[0].amount".</summary>
    public static string ApiPath(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return "one of " + string.Join(", ", Enum.GetNames(type));
        if (type == typeof(string))
            return "text (a JSON string; amounts too are strings, such as \"250.00\")";
        if (type == typeof(int) || type == typeof(long))
            return $"a whole number from {(type == typeof(int) ? int.MinValue : long.MinValue)} to {(type == typeof(int) ? int.MaxValue : long.MaxValue)}";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(Guid))
            return "an id such as 3fa85f64-5717-4562-b3fc-2c963f66afa6";
        if (type == typeof(DateOnly))
            return "a date as yyyy-MM-dd";
        if (type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable)))
            return "a list (a JSON array)";
        return "an object";
    }

    /// <summary>The .NET type a path of the body leads to, or null when the path does not name a field.</summary>
    private static Type? TargetType(Type root, string path)
    {
        var type = root;
        if (path.Length == 0)
            return root;
        foreach (var segment in path.Split('.'))
        {
            var match = Segment().Match(segment);
            if (!match.Success)
                return null;
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => string.Equals(p.Name, match.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
            if (property is null)
                return null;
            type = property.PropertyType;
            if (match.Groups[2].Success)
                type = ElementType(type) ?? type;
        }
        return type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"The JSON property '(.*?)' could not be mapped", RegexOptions.Singleline)]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"^([A-Za-z0-9_]+)(\[\d+\])?$")]
    private static partial Regex Segment();
}
