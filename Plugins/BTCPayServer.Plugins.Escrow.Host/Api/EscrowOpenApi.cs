using System.Text.Json;
using System.Text.Json.Nodes;
using BTCPayServer.Plugins.Escrow.Host.ApiKeys;
using BTCPayServer.Plugins.Escrow.Web.Api;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BTCPayServer.Plugins.Escrow.Host.Api;

/// <summary>
/// The escrow API's OpenAPI document, generated from the controllers by ASP.NET Core and completed here: BTCPay's
/// security scheme (<c>API_Key</c>, <c>Authorization: token …</c>), the permission each call needs, the
/// <c>Idempotency-Key</c> header on POSTs, and an example of every request and answer (<see cref="ApiExamples"/>).
/// Served at <c>/openapi/escrow.json</c>; the committed copy (Web/openapi/escrow.json) is checked against it in tests.
/// </summary>
public static class EscrowOpenApi
{
    public const string Path = "/openapi/{documentName}.json";
    private const string SecurityScheme = "API_Key";

    public static IServiceCollection AddEscrowOpenApi(this IServiceCollection services)
    {
        // The generator describes JSON as these options write it: the API's own.
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        return services.AddOpenApi(GreenfieldApi.DocumentName, options =>
        {
            options.ShouldInclude = d => d.GroupName == GreenfieldApi.DocumentName;
            options.AddDocumentTransformer(async (document, context, cancellationToken) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "BTCPay Escrow API",
                    Version = "v1",
                    Description = "Milestone escrow contracts of a BTCPay store, in BTCPay's Greenfield style: amounts are strings in the contract's currency, "
                        + "times are Unix seconds, errors are `{code, message}` (422: a list of `{path, message}`). Every POST honours an `Idempotency-Key` header. "
                        + "Changes of terms carry the contract's `version`; a stale one is answered 409.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [SecurityScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = "Authorization",
                        Description = "An API key, sent as `Authorization: token {key}`. Permissions: `" + EscrowPermissions.ManageContracts
                            + "` (contracts, records, settings) and `" + EscrowPermissions.ArbitrateDisputes + "` (disputes).",
                    },
                };
                // The error shapes every operation refers to (added by the operation transformer below), whether or not an action names them.
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                foreach (var type in new[] { typeof(GreenfieldError), typeof(GreenfieldValidationError) })
                    document.Components.Schemas.TryAdd(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                Complete(operation, context);
                return Task.CompletedTask;
            });
        });
    }

    private static void Complete(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var permission = description.RelativePath?.Contains("/disputes", StringComparison.Ordinal) == true ? EscrowPermissions.ArbitrateDisputes : EscrowPermissions.ManageContracts;
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [permission] }];
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["401"] = ErrorResponse("No API key, or an unknown or revoked one.", 401);
        operation.Responses["403"] = ErrorResponse($"The API key lacks the permission `{permission}`.", 403);
        operation.Responses.TryAdd("404", ErrorResponse("Another store's, or no such, resource.", 404));
        if (description.HttpMethod is "POST" or "PUT")
        {
            // What any act can meet: a rule of the escrow that refuses it now, a bad Idempotency-Key, a retry racing its first try.
            operation.Responses.TryAdd("400", ErrorResponse("The escrow's rules refuse this act now (the message says why); nothing was changed.", 400));
            operation.Responses.TryAdd("409", ErrorResponse("The contract changed since the version sent, or a request with the same Idempotency-Key is still being answered.", 409));
            operation.Responses.TryAdd("413", ErrorResponse($"The body is larger than {GreenfieldApi.MaxBodyBytes} bytes.", 413));
            operation.Responses.TryAdd("422", new OpenApiResponse
            {
                Description = "Input refused: each field with the reason (a bad Idempotency-Key is named as such).",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(nameof(GreenfieldValidationError)) },
                        Example = Example(typeof(GreenfieldValidationError[]), 422),
                    },
                },
            });
        }
        foreach (var type in description.SupportedResponseTypes)
        {
            if (type.Type is null || !operation.Responses.TryGetValue(type.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) || response.Content is null)
                continue;
            foreach (var media in response.Content.Values)
                media.Example = Example(type.Type, type.StatusCode);
        }
        if (description.ParameterDescriptions.FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body) is { } body
            && operation.RequestBody?.Content is { } content)
        {
            foreach (var media in content.Values)
                media.Example = Example(body.Type, 200);
        }
        if (HttpMethods.IsPost(description.HttpMethod ?? ""))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = GreenfieldApi.IdempotencyHeader,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Any unique value (a UUID): a retry with the same key and body gets the first answer again and acts only once; the same key with another body is a 422.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Core.Api.IdempotencyRecord.MaxKeyLength },
            });
        }
    }

    private static OpenApiResponse ErrorResponse(string description, int status) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(GreenfieldError)), Example = Example(typeof(GreenfieldError), status) },
        },
    };

    private static JsonNode? Example(Type type, int status) =>
        ApiExamples.For(type, status) is { } value ? JsonSerializer.SerializeToNode(value, type, ApiJson.Options) : null;
}
