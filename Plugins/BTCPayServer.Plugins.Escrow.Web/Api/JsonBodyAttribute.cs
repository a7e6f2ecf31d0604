using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// The JSON body of an API call, read with <see cref="ApiJson.Options"/> by <see cref="JsonBodyBinder"/> (never by the
/// host's input formatters). Described as the request body to ApiExplorer, so the OpenAPI document shows its schema.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class JsonBodyAttribute : ModelBinderAttribute
{
    public JsonBodyAttribute() : base(typeof(JsonBodyBinder)) { }

    public override BindingSource BindingSource => BindingSource.Body;
}
