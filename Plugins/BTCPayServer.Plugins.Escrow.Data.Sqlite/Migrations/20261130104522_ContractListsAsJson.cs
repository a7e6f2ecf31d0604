using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContractListsAsJson : Migration
    {
        /// <summary>
        /// Each list as EF writes it on SQLite (property names as in Core, money as {Amount, Currency} with the amount as
        /// text, times as UTC ticks, enums by name), in its Position order.
        /// </summary>
        private const string CopyListsIntoContracts = """
            UPDATE "Contracts" AS c SET
                "Milestones" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', m."Id", 'ContractId', m."ContractId", 'Number', m."Number", 'Title', m."Title", 'Deliverable', m."Deliverable", 'DueDate', m."DueDate", 'ReviewWindow', m."ReviewWindow", 'State', m."State", 'SubmittedAt', m."SubmittedAt", 'ReviewDeadline', m."ReviewDeadline", 'OverdueSince', m."OverdueSince", 'ClosedAt', m."ClosedAt", 'Amount', json_object('Amount', m."Amount_Amount", 'Currency', m."Amount_Currency"), 'ClientFee', json_object('Amount', m."ClientFee_Amount", 'Currency', m."ClientFee_Currency"), 'Funded', json_object('Amount', m."Funded_Amount", 'Currency', m."Funded_Currency"), 'FundedBtc', json_object('Amount', m."FundedBtc_Amount", 'Currency', m."FundedBtc_Currency"), 'ReleasedToFreelancer', json_object('Amount', m."ReleasedToFreelancer_Amount", 'Currency', m."ReleasedToFreelancer_Currency"), 'FeesRetained', json_object('Amount', m."FeesRetained_Amount", 'Currency', m."FeesRetained_Currency"), 'RefundedToClient', json_object('Amount', m."RefundedToClient_Amount", 'Currency', m."RefundedToClient_Currency"), 'ReviewEntries', json(COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', r."Id", 'MilestoneId', r."MilestoneId", 'Kind', r."Kind", 'Author', r."Author", 'Message', r."Message", 'Links', json(r."Links"), 'FileHashes', json(r."FileHashes"), 'At', r."At") AS o FROM "ReviewEntries" r WHERE r."ContractId" = m."ContractId" AND r."MilestoneId" = m."Id" ORDER BY r."Position")), '[]'))) AS o FROM "Milestones" m WHERE m."ContractId" = c."Id" ORDER BY m."Position")), '[]'),
                "TermsVersions" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Number', v."Number", 'Hash', v."Hash", 'Canonical', v."Canonical", 'OfferedAt', v."OfferedAt", 'ClientAcceptedAt', v."ClientAcceptedAt", 'FreelancerAcceptedAt', v."FreelancerAcceptedAt") AS o FROM "TermsVersions" v WHERE v."ContractId" = c."Id" ORDER BY v."Position")), '[]'),
                "Disputes" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', d."Id", 'ContractId', d."ContractId", 'MilestoneId', d."MilestoneId", 'OpenedBy', d."OpenedBy", 'Reason', d."Reason", 'OpenedAt', d."OpenedAt", 'ResponseDeadline', d."ResponseDeadline", 'Status', d."Status", 'EscalatedAt', d."EscalatedAt", 'EscalationReason', d."EscalationReason", 'RulingReason', d."RulingReason", 'RuledBy', d."RuledBy", 'ResolvedAt', d."ResolvedAt", 'FreelancerShare', CASE WHEN d."FreelancerShare_Currency" IS NULL THEN NULL ELSE json_object('Amount', d."FreelancerShare_Amount", 'Currency', d."FreelancerShare_Currency") END, 'Messages', json(COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', x."Id", 'DisputeId', x."DisputeId", 'Author', x."Author", 'Text', x."Text", 'At', x."At") AS o FROM "DisputeMessages" x WHERE x."DisputeId" = d."Id" ORDER BY x."Position")), '[]')), 'Proposals', json(COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', p."Id", 'DisputeId', p."DisputeId", 'ProposedBy', p."ProposedBy", 'Note', p."Note", 'ProposedAt', p."ProposedAt", 'Status', p."Status", 'FreelancerAmount', json_object('Amount', p."FreelancerAmount_Amount", 'Currency', p."FreelancerAmount_Currency")) AS o FROM "SplitProposals" p WHERE p."DisputeId" = d."Id" ORDER BY p."Position")), '[]'))) AS o FROM "Disputes" d WHERE d."ContractId" = c."Id" ORDER BY d."Position")), '[]'),
                "Payments" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('ContractId', l."ContractId", 'PaymentId', l."PaymentId", 'InvoiceId', l."InvoiceId", 'Rate', l."Rate", 'Method', l."Method", 'Status', l."Status", 'ReceivedAt', l."ReceivedAt", 'Credited', json_object('Amount', l."Credited_Amount", 'Currency', l."Credited_Currency"), 'Crypto', json_object('Amount', l."Crypto_Amount", 'Currency', l."Crypto_Currency")) AS o FROM "LedgerPayments" l WHERE l."ContractId" = c."Id" ORDER BY l."Position")), '[]'),
                "Allocations" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('Id', a."Id", 'ContractId', a."ContractId", 'PaymentId', a."PaymentId", 'MilestoneId', a."MilestoneId", 'Reversed', json(CASE WHEN a."Reversed" THEN 'true' ELSE 'false' END), 'Refunded', json(CASE WHEN a."Refunded" THEN 'true' ELSE 'false' END), 'Amount', json_object('Amount', a."Amount_Amount", 'Currency', a."Amount_Currency"), 'Btc', json_object('Amount', a."Btc_Amount", 'Currency', a."Btc_Currency")) AS o FROM "Allocations" a WHERE a."ContractId" = c."Id" ORDER BY a."Position")), '[]'),
                "ProcessedEvents" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('ContractId', e."ContractId", 'EventId', e."EventId", 'Kind', e."Kind", 'ProcessedAt', e."ProcessedAt") AS o FROM "ProcessedEvents" e WHERE e."ContractId" = c."Id" ORDER BY e."Position")), '[]'),
                "PartyAccess" = COALESCE((SELECT json_group_array(json(o)) FROM (SELECT json_object('ContractId', t."ContractId", 'Role', t."Role", 'TokenHash', t."TokenHash", 'IssuedAt', t."IssuedAt", 'ExpiresAt', t."ExpiresAt", 'RevokedAt', t."RevokedAt") AS o FROM "PartyAccess" t WHERE t."ContractId" = c."Id" ORDER BY t."Position")), '[]');
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Allocations",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Disputes",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Milestones",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "PartyAccess",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Payments",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "ProcessedEvents",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "TermsVersions",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            // Every list moves into its contract's row, in its stored order, before its table goes.
            migrationBuilder.Sql(CopyListsIntoContracts);

            migrationBuilder.DropTable(
                name: "Allocations");

            migrationBuilder.DropTable(
                name: "DisputeMessages");

            migrationBuilder.DropTable(
                name: "LedgerPayments");

            migrationBuilder.DropTable(
                name: "ReviewEntries");

            migrationBuilder.DropTable(
                name: "SplitProposals");

            migrationBuilder.DropTable(
                name: "TermsVersions");

            migrationBuilder.DropTable(
                name: "Milestones");

            migrationBuilder.DropTable(
                name: "Disputes");

            migrationBuilder.DropColumn(
                name: "Position",
                table: "ProcessedEvents");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "IssuedAt",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "Position",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "PartyAccess");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_StoreId_OpenDisputes",
                table: "Contracts",
                column: "StoreId",
                filter: "\"SummaryOpenDisputes\" > 0");
        }

        /// <summary>The tables come back empty: going back is for development databases, the lists are not copied out again.</summary>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Contracts_StoreId_OpenDisputes",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Allocations",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Disputes",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Milestones",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "PartyAccess",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "Payments",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "ProcessedEvents",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "TermsVersions",
                table: "Contracts");

            migrationBuilder.AddColumn<int>(
                name: "Position",
                table: "ProcessedEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "PartyAccess",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "IssuedAt",
                table: "PartyAccess",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "Position",
                table: "PartyAccess",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "RevokedAt",
                table: "PartyAccess",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Allocations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PaymentId = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Refunded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Reversed = table.Column<bool>(type: "INTEGER", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Btc_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Btc_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Allocations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Allocations_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Disputes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EscalatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EscalationReason = table.Column<string>(type: "TEXT", nullable: true),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResponseDeadline = table.Column<long>(type: "INTEGER", nullable: false),
                    RuledBy = table.Column<string>(type: "TEXT", nullable: true),
                    RulingReason = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FreelancerShare_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: true),
                    FreelancerShare_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disputes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Disputes_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LedgerPayments",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PaymentId = table.Column<string>(type: "TEXT", nullable: false),
                    InvoiceId = table.Column<string>(type: "TEXT", nullable: false),
                    Method = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Rate = table.Column<decimal>(type: "TEXT", precision: 28, scale: 12, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Credited_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Credited_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Crypto_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Crypto_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerPayments", x => new { x.ContractId, x.PaymentId });
                    table.ForeignKey(
                        name: "FK_LedgerPayments_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Milestones",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Deliverable = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    DueDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    OverdueSince = table.Column<long>(type: "INTEGER", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    ReviewDeadline = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewWindow = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    ClientFee_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    ClientFee_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    FeesRetained_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FeesRetained_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    Funded_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    Funded_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    FundedBtc_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FundedBtc_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    RefundedToClient_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    RefundedToClient_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false),
                    ReleasedToFreelancer_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    ReleasedToFreelancer_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Milestones", x => new { x.ContractId, x.Id });
                    table.ForeignKey(
                        name: "FK_Milestones_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TermsVersions",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Canonical = table.Column<string>(type: "TEXT", nullable: false),
                    ClientAcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FreelancerAcceptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OfferedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TermsVersions", x => new { x.ContractId, x.Number });
                    table.ForeignKey(
                        name: "FK_TermsVersions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DisputeMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DisputeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisputeMessages_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SplitProposals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DisputeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ProposedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FreelancerAmount_Amount = table.Column<decimal>(type: "TEXT", precision: 28, scale: 8, nullable: false),
                    FreelancerAmount_Currency = table.Column<string>(type: "TEXT", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SplitProposals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SplitProposals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ContractId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileHashes = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Links = table.Column<string>(type: "TEXT", nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    MilestoneId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewEntries_Milestones_ContractId_MilestoneId",
                        columns: x => new { x.ContractId, x.MilestoneId },
                        principalTable: "Milestones",
                        principalColumns: new[] { "ContractId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Allocations_ContractId",
                table: "Allocations",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_DisputeMessages_DisputeId",
                table: "DisputeMessages",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_Disputes_ContractId",
                table: "Disputes",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewEntries_ContractId_MilestoneId",
                table: "ReviewEntries",
                columns: new[] { "ContractId", "MilestoneId" });

            migrationBuilder.CreateIndex(
                name: "IX_SplitProposals_DisputeId",
                table: "SplitProposals",
                column: "DisputeId");
        }
    }
}
