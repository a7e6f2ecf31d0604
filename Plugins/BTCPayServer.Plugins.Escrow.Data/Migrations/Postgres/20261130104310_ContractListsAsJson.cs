using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ContractListsAsJson : Migration
    {
        /// <summary>
        /// Each list as EF writes it (property names as in Core, money as {Amount, Currency}, enums by name), in its
        /// Position order. Times are written as UTC, as the application writes them; a review window (interval) as Npgsql's EF provider
        /// writes a TimeSpan into JSON ("3 00:00:00": days, then hh:mm:ss).
        /// </summary>
        private const string CopyListsIntoContracts = """
            SET LOCAL TimeZone = 'UTC';
            UPDATE "BTCPayServer.Plugins.Escrow"."Contracts" c SET
                "Milestones" = COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', m."Id", 'ContractId', m."ContractId", 'Number', m."Number", 'Title', m."Title", 'Deliverable', m."Deliverable", 'DueDate', m."DueDate", 'ReviewWindow', CASE WHEN m."ReviewWindow" IS NULL THEN NULL ELSE to_jsonb(CASE WHEN extract(day from justify_hours(m."ReviewWindow")) <> 0 THEN extract(day from justify_hours(m."ReviewWindow"))::bigint::text || ' ' ELSE '' END || to_char(justify_hours(m."ReviewWindow"), 'HH24:MI:SS') || CASE WHEN extract(microseconds from m."ReviewWindow")::bigint % 1000000 <> 0 THEN to_char(justify_hours(m."ReviewWindow"), '.US') ELSE '' END) END, 'State', m."State", 'SubmittedAt', m."SubmittedAt", 'ReviewDeadline', m."ReviewDeadline", 'OverdueSince', m."OverdueSince", 'ClosedAt', m."ClosedAt", 'Amount', jsonb_build_object('Amount', m."Amount_Amount", 'Currency', m."Amount_Currency"), 'ClientFee', jsonb_build_object('Amount', m."ClientFee_Amount", 'Currency', m."ClientFee_Currency"), 'Funded', jsonb_build_object('Amount', m."Funded_Amount", 'Currency', m."Funded_Currency"), 'FundedBtc', jsonb_build_object('Amount', m."FundedBtc_Amount", 'Currency', m."FundedBtc_Currency"), 'ReleasedToFreelancer', jsonb_build_object('Amount', m."ReleasedToFreelancer_Amount", 'Currency', m."ReleasedToFreelancer_Currency"), 'FeesRetained', jsonb_build_object('Amount', m."FeesRetained_Amount", 'Currency', m."FeesRetained_Currency"), 'RefundedToClient', jsonb_build_object('Amount', m."RefundedToClient_Amount", 'Currency', m."RefundedToClient_Currency"), 'ReviewEntries', COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', r."Id", 'MilestoneId', r."MilestoneId", 'Kind', r."Kind", 'Author', r."Author", 'Message', r."Message", 'Links', to_jsonb(r."Links"), 'FileHashes', to_jsonb(r."FileHashes"), 'At', r."At") ORDER BY r."Position") FROM "BTCPayServer.Plugins.Escrow"."ReviewEntries" r WHERE r."ContractId" = m."ContractId" AND r."MilestoneId" = m."Id"), '[]'::jsonb)) ORDER BY m."Position") FROM "BTCPayServer.Plugins.Escrow"."Milestones" m WHERE m."ContractId" = c."Id"), '[]'::jsonb),
                "TermsVersions" = COALESCE((SELECT jsonb_agg(jsonb_build_object('Number', v."Number", 'Hash', v."Hash", 'Canonical', v."Canonical", 'OfferedAt', v."OfferedAt", 'ClientAcceptedAt', v."ClientAcceptedAt", 'FreelancerAcceptedAt', v."FreelancerAcceptedAt") ORDER BY v."Position") FROM "BTCPayServer.Plugins.Escrow"."TermsVersions" v WHERE v."ContractId" = c."Id"), '[]'::jsonb),
                "Disputes" = COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', d."Id", 'ContractId', d."ContractId", 'MilestoneId', d."MilestoneId", 'OpenedBy', d."OpenedBy", 'Reason', d."Reason", 'OpenedAt', d."OpenedAt", 'ResponseDeadline', d."ResponseDeadline", 'Status', d."Status", 'EscalatedAt', d."EscalatedAt", 'EscalationReason', d."EscalationReason", 'RulingReason', d."RulingReason", 'RuledBy', d."RuledBy", 'ResolvedAt', d."ResolvedAt", 'FreelancerShare', CASE WHEN d."FreelancerShare_Currency" IS NULL THEN NULL ELSE jsonb_build_object('Amount', d."FreelancerShare_Amount", 'Currency', d."FreelancerShare_Currency") END, 'Messages', COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', x."Id", 'DisputeId', x."DisputeId", 'Author', x."Author", 'Text', x."Text", 'At', x."At") ORDER BY x."Position") FROM "BTCPayServer.Plugins.Escrow"."DisputeMessages" x WHERE x."DisputeId" = d."Id"), '[]'::jsonb), 'Proposals', COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', p."Id", 'DisputeId', p."DisputeId", 'ProposedBy', p."ProposedBy", 'Note', p."Note", 'ProposedAt', p."ProposedAt", 'Status', p."Status", 'FreelancerAmount', jsonb_build_object('Amount', p."FreelancerAmount_Amount", 'Currency', p."FreelancerAmount_Currency")) ORDER BY p."Position") FROM "BTCPayServer.Plugins.Escrow"."SplitProposals" p WHERE p."DisputeId" = d."Id"), '[]'::jsonb)) ORDER BY d."Position") FROM "BTCPayServer.Plugins.Escrow"."Disputes" d WHERE d."ContractId" = c."Id"), '[]'::jsonb),
                "Payments" = COALESCE((SELECT jsonb_agg(jsonb_build_object('ContractId', l."ContractId", 'PaymentId', l."PaymentId", 'InvoiceId', l."InvoiceId", 'Rate', l."Rate", 'Method', l."Method", 'Status', l."Status", 'ReceivedAt', l."ReceivedAt", 'Credited', jsonb_build_object('Amount', l."Credited_Amount", 'Currency', l."Credited_Currency"), 'Crypto', jsonb_build_object('Amount', l."Crypto_Amount", 'Currency', l."Crypto_Currency")) ORDER BY l."Position") FROM "BTCPayServer.Plugins.Escrow"."LedgerPayments" l WHERE l."ContractId" = c."Id"), '[]'::jsonb),
                "Allocations" = COALESCE((SELECT jsonb_agg(jsonb_build_object('Id', a."Id", 'ContractId', a."ContractId", 'PaymentId', a."PaymentId", 'MilestoneId', a."MilestoneId", 'Reversed', a."Reversed", 'Refunded', a."Refunded", 'Amount', jsonb_build_object('Amount', a."Amount_Amount", 'Currency', a."Amount_Currency"), 'Btc', jsonb_build_object('Amount', a."Btc_Amount", 'Currency', a."Btc_Currency")) ORDER BY a."Position") FROM "BTCPayServer.Plugins.Escrow"."Allocations" a WHERE a."ContractId" = c."Id"), '[]'::jsonb),
                "ProcessedEvents" = COALESCE((SELECT jsonb_agg(jsonb_build_object('ContractId', e."ContractId", 'EventId', e."EventId", 'Kind', e."Kind", 'ProcessedAt', e."ProcessedAt") ORDER BY e."Position") FROM "BTCPayServer.Plugins.Escrow"."ProcessedEvents" e WHERE e."ContractId" = c."Id"), '[]'::jsonb),
                "PartyAccess" = COALESCE((SELECT jsonb_agg(jsonb_build_object('ContractId', t."ContractId", 'Role', t."Role", 'TokenHash', t."TokenHash", 'IssuedAt', t."IssuedAt", 'ExpiresAt', t."ExpiresAt", 'RevokedAt', t."RevokedAt") ORDER BY t."Position") FROM "BTCPayServer.Plugins.Escrow"."PartyAccess" t WHERE t."ContractId" = c."Id"), '[]'::jsonb);
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Payments",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "ProcessedEvents",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            // Every list moves into its contract's row, in its stored order, before its table goes.
            migrationBuilder.Sql(CopyListsIntoContracts);

            migrationBuilder.DropTable(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "DisputeMessages",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "LedgerPayments",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "ReviewEntries",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "SplitProposals",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropColumn(
                name: "Position",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "ProcessedEvents");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "IssuedAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "Position",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_StoreId_OpenDisputes",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                column: "StoreId",
                filter: "\"SummaryOpenDisputes\" > 0");
        }

        /// <summary>The tables come back empty: going back is for development databases, the lists are not copied out again.</summary>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Contracts_StoreId_OpenDisputes",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Payments",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "ProcessedEvents",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.AddColumn<int>(
                name: "Position",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "ProcessedEvents",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiresAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "IssuedAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "Position",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RevokedAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: true),
                    PaymentId = table.Column<string>(type: "text", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Refunded = table.Column<bool>(type: "boolean", nullable: false),
                    Reversed = table.Column<bool>(type: "boolean", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Btc_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Btc_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Allocations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Allocations_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    EscalatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EscalationReason = table.Column<string>(type: "text", nullable: true),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    OpenedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ResponseDeadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RuledBy = table.Column<string>(type: "text", nullable: true),
                    RulingReason = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FreelancerShare_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: true),
                    FreelancerShare_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disputes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Disputes_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LedgerPayments",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    PaymentId = table.Column<string>(type: "text", nullable: false),
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    Method = table.Column<string>(type: "text", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Rate = table.Column<decimal>(type: "numeric(28,12)", precision: 28, scale: 12, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Credited_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Credited_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Crypto_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Crypto_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerPayments", x => new { x.ContractId, x.PaymentId });
                    table.ForeignKey(
                        name: "FK_LedgerPayments_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Deliverable = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    DueDate = table.Column<DateOnly>(type: "date", nullable: true),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    OverdueSince = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    ReviewDeadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewWindow = table.Column<TimeSpan>(type: "interval", nullable: true),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    ClientFee_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    ClientFee_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    FeesRetained_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FeesRetained_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Funded_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Funded_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    FundedBtc_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FundedBtc_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    RefundedToClient_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    RefundedToClient_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    ReleasedToFreelancer_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    ReleasedToFreelancer_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Milestones", x => new { x.ContractId, x.Id });
                    table.ForeignKey(
                        name: "FK_Milestones_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Canonical = table.Column<string>(type: "text", nullable: false),
                    ClientAcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FreelancerAcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OfferedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TermsVersions", x => new { x.ContractId, x.Number });
                    table.ForeignKey(
                        name: "FK_TermsVersions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DisputeMessages",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Author = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisputeMessages_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SplitProposals",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    Note = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    ProposedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ProposedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FreelancerAmount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FreelancerAmount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SplitProposals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SplitProposals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewEntries",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Author = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileHashes = table.Column<List<string>>(type: "text[]", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Links = table.Column<List<string>>(type: "text[]", nullable: false),
                    Message = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewEntries_Milestones_ContractId_MilestoneId",
                        columns: x => new { x.ContractId, x.MilestoneId },
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Milestones",
                        principalColumns: new[] { "ContractId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Allocations_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Allocations",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_DisputeMessages_DisputeId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "DisputeMessages",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_Disputes_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Disputes",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewEntries_ContractId_MilestoneId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "ReviewEntries",
                columns: new[] { "ContractId", "MilestoneId" });

            migrationBuilder.CreateIndex(
                name: "IX_SplitProposals_DisputeId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "SplitProposals",
                column: "DisputeId");
        }
    }
}
