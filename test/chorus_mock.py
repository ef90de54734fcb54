#!/usr/bin/python3
"""A Chorus Pro stand-in on loopback, after ../shared/spec/chorus-pro-api.md.

PISTE token endpoint with expiry, the cpro-account check, the flux deposit,
the detailed flux report, the supplier-side search (paged), the status
history and the structure directory; flux integrate and invoices move along
their life cycle as time passes.  Faults on demand.

    chorus_mock.py --port-file FILE [--lifetime SECONDS] [--control JSON] [--tls CERT KEY]

Listens on 127.0.0.1 (a free port, written to FILE).  Control, JSON:
    POST /_control  {"faults": [...], "token_ttl": s, "revoke_tokens": true,
                     "latency": s, "flux_delay": s, "status_step": s,
                     "page_size": n, "structures": [...], "lifecycle": [...],
                     "preexisting": [invoices deposited through the portal]}
    GET  /_stats    deposits per invoice number, requests per path, tokens
A fault: {"path": substring of the path ("token" for the token endpoint),
          "count": n, then one of "status": code, "delay": s,
          "malformed": true, "drop": true (no answer), "drop_after_record":
          true (a deposit is recorded, then the connection is dropped)}.
The invoice number steers its life: RECYCLE -> A_RECYCLER, SUSPEND ->
SUSPENDUE, REJECT -> REJETEE, STOP -> stays MISE_A_DISPOSITION.  The
supplier's answers (recycler, completer) resume the life cycle.
Stops by itself after --lifetime seconds (default 3600).
"""

import argparse
import asyncio
import base64
import json
import os
import ssl
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CLIENT_ID, CLIENT_SECRET = "bizinvoice-test", "piste-secret"
LOGIN, PASSWORD = "TECH_bizinvoice@cpro.fr", "cpro-password"
LIFECYCLE = ["SERVICE_FAIT", "MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE",
             "MISE_EN_PAIEMENT"]
FLUX_STEPS = ["IN_RECU", "IN_TRAITE_SE_CPP", "IN_EN_COURS_TRAITEMENT_CPP"]


class Mock:
    def __init__(self):
        self.token_ttl = 3600
        self.tokens = {}
        self.latency = 0.0
        self.flux_delay = 0.3
        self.status_step = 0.3
        self.page_size = 100
        self.faults = []
        self.structures = {}
        self.lifecycle = list(LIFECYCLE)
        self.fluxes = {}
        self.invoices = {}
        self.by_flux = {}       # flux number -> invoice ids
        self.by_number = {}     # invoice number -> invoice ids
        self.deposits = {}
        self.requests = {}
        self.token_count = 0
        self.next_flux = 1
        self.next_invoice = 1000

    # --- faults and control ------------------------------------------------
    def take_fault(self, path):
        for f in self.faults:
            if f.get("count", 1) > 0 and f.get("path", "") in path:
                f["count"] = f.get("count", 1) - 1
                return f
        return None

    def control(self, body):
        for key in ("token_ttl", "latency", "flux_delay", "status_step", "page_size", "lifecycle"):
            if key in body:
                setattr(self, key, body[key])
        if "faults" in body:
            self.faults = body["faults"]
        if body.get("revoke_tokens"):
            self.tokens.clear()
        for s in body.get("structures", []):
            self.structures[s["siret"]] = s
        for p in body.get("preexisting", []):
            # deposited earlier through the portal
            flux_no = "CPP%022d" % self.next_flux
            self.next_flux += 1
            self.fluxes[flux_no] = {"at": 0, "final": "IN_INTEGRE", "errors": [],
                                    "number": p["number"], "name": "portail"}
            self.add_invoice(dict(p, flux=flux_no))
        return {"ok": True}

    def add_invoice(self, inv):
        inv["id"] = self.next_invoice
        self.next_invoice += 1
        self.invoices[inv["id"]] = inv
        self.by_flux.setdefault(inv["flux"], []).append(inv["id"])
        self.by_number.setdefault(inv["number"], []).append(inv["id"])

    def stats(self):
        return {"deposits": self.deposits, "requests": self.requests, "tokens": self.token_count,
                "fluxes": len(self.fluxes), "invoices": len(self.invoices)}

    # --- PISTE ---------------------------------------------------------------
    def token(self, form):
        fields = {k: v[0] for k, v in parse_qs(form).items()}
        if fields.get("grant_type") != "client_credentials" or \
                fields.get("client_id") != CLIENT_ID or fields.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        self.token_count += 1
        tok = base64.urlsafe_b64encode(os.urandom(24)).decode()
        self.tokens[tok] = time.time() + self.token_ttl
        return 200, {"access_token": tok, "token_type": "Bearer", "expires_in": self.token_ttl,
                     "scope": "openid"}

    def authorized(self, headers):
        auth = headers.get("authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        if tok is None or self.tokens.get(tok, 0) < time.time():
            return False
        expected = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
        return headers.get("cpro-account") == expected

    # --- time -------------------------------------------------------------------
    def flux_state(self, flux):
        age = time.time() - flux["at"]
        if age < self.flux_delay:
            return FLUX_STEPS[min(int(age / self.flux_delay * len(FLUX_STEPS)), len(FLUX_STEPS) - 1)]
        return flux["final"]

    def history(self, inv):
        integrated = self.fluxes[inv["flux"]]["at"] + self.flux_delay
        steps = [("DEPOSEE", "")]
        n = inv["number"]
        if "STOP" in n:
            steps.append(("MISE_A_DISPOSITION", ""))
        elif "RECYCLE" in n:
            steps += [("MISE_A_DISPOSITION", ""), ("A_RECYCLER", "Code service inconnu du destinataire")]
        elif "SUSPEND" in n:
            steps += [("MISE_A_DISPOSITION", ""), ("SUSPENDUE", "Pièce justificative manquante")]
        elif "REJECT" in n:
            steps += [("MISE_A_DISPOSITION", ""), ("REJETEE", "Montant erroné")]
        else:
            steps += [("MISE_A_DISPOSITION", "")] + [(c, "") for c in self.lifecycle]
        if "resumed" in inv:
            # the supplier answered the return: the history goes on from then
            resumed = inv["resumed"]
            more = [("DEPOSEE", ""), ("MISE_A_DISPOSITION", "")] if inv["resume"] == "recycle" \
                else [("COMPLETEE", inv.get("comment", ""))]
            more += [(c, "") for c in self.lifecycle]
            first = len(steps)
            steps += more
            times = [integrated + i * self.status_step for i in range(first)] + \
                [resumed + (i + 1) * self.status_step for i in range(len(more))]
        else:
            times = [integrated + i * self.status_step for i in range(len(steps))]
        now = time.time()
        return [{"histoStatutId": inv["id"] * 100 + i, "histoStatutCode": code,
                 "histoStatutDatePassage": time.strftime("%Y-%m-%d %H:%M", time.localtime(at)),
                 "histoStatutCommentaire": comment}
                for i, ((code, comment), at) in enumerate(zip(steps, times)) if at <= now]

    # --- the API ------------------------------------------------------------
    def deposit(self, body):
        try:
            doc = ET.fromstring(base64.b64decode(body["fichierFlux"], validate=True))
        except Exception as e:  # noqa: BLE001 - any bad file is the client's
            return {"codeRetour": 20001, "libelle": f"fichier illisible: {e}"}
        if body.get("syntaxeFlux") != "IN_DP_E1_UBL_INVOICE":
            return {"codeRetour": 20002, "libelle": "syntaxe du flux inconnue"}

        def text(path):
            e = doc.find(path, NS)
            return e.text if e is not None else None

        def siret(role):
            for e in doc.findall(f"cac:{role}/cac:Party/cac:PartyIdentification/cbc:ID", NS):
                if e.get("schemeID") == "0009":
                    return e.text
            return text(f"cac:{role}/cac:Party/cbc:EndpointID")

        number = text("cbc:ID")
        inv = {"number": number, "supplier": siret("AccountingSupplierParty"),
               "buyer": siret("AccountingCustomerParty"), "service": text("cbc:BuyerReference"),
               "engagement": text("cac:OrderReference/cbc:ID"),
               "amount": text("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
               "date": text("cbc:IssueDate")}
        flux_no = "CPP%022d" % self.next_flux
        self.next_flux += 1
        self.deposits[number] = self.deposits.get(number, 0) + 1
        errors = []
        s = self.structures.get(inv["buyer"])
        if s is None:
            errors.append(f"L'identifiant destinataire {inv['buyer']} n'est pas référencé dans notre système.")
        elif s.get("service_required") and not inv["service"]:
            errors.append("Le code service est obligatoire pour ce destinataire.")
        elif s.get("engagement_required") and not inv["engagement"]:
            errors.append("Le numéro d'engagement est obligatoire pour ce destinataire.")
        if any(i["supplier"] == inv["supplier"] and (i["date"] or "")[:4] == (inv["date"] or "")[:4]
               for i in (self.invoices[k] for k in self.by_number.get(number, []))):
            errors.append(f"Doublon : la facture {number} a déjà été déposée.")
        flux = {"at": time.time(), "final": "IN_REJETE" if errors else "IN_INTEGRE",
                "errors": errors, "number": number, "name": body.get("nomFichier")}
        self.fluxes[flux_no] = flux
        if not errors:
            inv["flux"] = flux_no
            self.add_invoice(inv)
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "numeroFluxDepot": flux_no,
                "dateDepot": time.strftime("%Y-%m-%d"), "syntaxeFlux": body.get("syntaxeFlux")}

    def report(self, body):
        flux = self.fluxes.get(body.get("numeroFluxDepot"))
        if flux is None:
            return {"codeRetour": 20000, "libelle": "la recherche n'a retourné aucun résultat"}
        state = self.flux_state(flux)
        final = state == flux["final"]
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "codeInterfaceDepotFlux": "FSO1110A",
                "dateDepotFlux": time.strftime("%Y-%m-%dT%H:%M:%S.000+01:00", time.localtime(flux["at"])),
                "etatCourantDepotFlux": state, "nomFichier": flux["name"],
                "listeErreurDP": [{"numeroDP": flux["number"], "libelleErreurDP": e}
                                  for e in flux["errors"]] if final else [],
                "listeErreurTechnique": []}

    def search(self, body):
        page = int(body.get("rechercheFactureParFournisseur", {}).get("pageResultatDemandee", 1))
        if "numeroFluxDepot" in body:
            ids = self.by_flux.get(body["numeroFluxDepot"], [])
        elif "numeroFacture" in body:
            ids = self.by_number.get(body["numeroFacture"], [])
        else:
            ids = sorted(self.invoices)
        found = [i for i in (self.invoices[k] for k in sorted(ids))
                 if self.flux_state(self.fluxes[i["flux"]]) == "IN_INTEGRE"
                 and body.get("numeroFluxDepot", i["flux"]) == i["flux"]
                 and body.get("numeroFacture", i["number"]) == i["number"]]
        if not found:
            return {"codeRetour": 20000, "libelle": "la recherche n'a retourné aucun résultat"}
        pages = (len(found) + self.page_size - 1) // self.page_size
        chunk = found[(page - 1) * self.page_size: page * self.page_size]
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000",
                "listeFactures": [{"identifiantFactureCPP": i["id"], "numeroFacture": i["number"],
                                   "statut": self.history(i)[-1]["histoStatutCode"],
                                   "montantTTC": float(i["amount"]) if i["amount"] else None,
                                   "numeroFluxDepot": i["flux"], "dateDepot": i["date"]} for i in chunk],
                "parametresRetour": {"total": len(found), "pageCourante": page, "pages": pages,
                                     "nbResultatsParPage": self.page_size}}

    def status_history(self, body):
        inv = self.invoices.get(body.get("idFacture"))
        if inv is None:
            return {"codeRetour": 20000, "libelle": "facture inconnue"}
        h = self.history(inv)
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "idFacture": inv["id"],
                "numeroFacture": inv["number"], "statutCourantCode": h[-1]["histoStatutCode"],
                "historiquesDesStatuts": {"histoStatut": h, "pageCouranteHistoStatut": 1,
                                          "pagesHistoStatut": 1, "totalHistoStatut": len(h)}}

    def resume(self, body, kind, status):
        inv = self.invoices.get(body.get("idFacture"))
        if inv is None or "resumed" in inv:
            return {"codeRetour": 20000, "libelle": "facture inconnue"}
        if self.history(inv)[-1]["histoStatutCode"] != status:
            return {"codeRetour": 20020, "libelle": f"la facture n'est pas au statut {status}"}
        if kind == "recycle":
            inv["service"] = body.get("codeServiceExecutant", inv["service"])
            inv["engagement"] = body.get("numeroEngagement", inv["engagement"])
        inv.update(resumed=time.time(), resume=kind, comment=body.get("commentaire", ""))
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "idFacture": inv["id"]}

    def recycle(self, body):
        return self.resume(body, "recycle", "A_RECYCLER")

    def complete(self, body):
        return self.resume(body, "complete", "SUSPENDUE")

    def structure_search(self, body):
        s = self.structures.get(body.get("structure", {}).get("identifiantStructure"))
        if s is None:
            return {"codeRetour": 20000, "libelle": "la recherche n'a retourné aucun résultat"}
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000",
                "listeStructures": [{"idStructureCPP": s["id"], "identifiantStructure": s["siret"],
                                     "designationStructure": s.get("name", "")}]}

    def structure_of(self, sid):
        return next((s for s in self.structures.values() if s["id"] == sid), None)

    def structure_params(self, body):
        s = self.structure_of(body.get("idStructureCPP"))
        if s is None:
            return {"codeRetour": 20000, "libelle": "structure inconnue"}
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "idStructureCPP": s["id"],
                "parametres": {"codeServiceDoitEtreRenseigne": bool(s.get("service_required")),
                               "numeroEJDoitEtreRenseigne": bool(s.get("engagement_required")),
                               "gestionNumeroEJOuCodeService": bool(s.get("either_required"))}}

    def services(self, body):
        s = self.structure_of(body.get("idStructure"))
        if s is None:
            return {"codeRetour": 20000, "libelle": "structure inconnue"}
        return {"codeRetour": 0, "libelle": "TRA_MSG_00.000",
                "listeServices": [{"idService": n + 1, "codeService": v["code"],
                                   "libelleService": v.get("name", v["code"]),
                                   "estActif": v.get("active", True)}
                                  for n, v in enumerate(s.get("services", []))]}

    ROUTES = {
        "/cpro/factures/v1/deposer/flux": deposit,
        "/cpro/transverses/v1/consulterCRDetaille": report,
        "/cpro/factures/v1/rechercher/fournisseur": search,
        "/cpro/factures/v1/consulter/historique": status_history,
        "/cpro/factures/v1/recycler": recycle,
        "/cpro/factures/v1/completer": complete,
        "/cpro/structures/v1/rechercher": structure_search,
        "/cpro/structures/v1/consulter": structure_params,
        "/cpro/structures/v1/rechercher/services": services,
    }


async def read_request(reader):
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        h = (await reader.readline()).decode("latin-1")
        if h in ("\r\n", "\n", ""):
            break
        k, v = h.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return method, path, headers, body


def respond(writer, status, payload, raw=None):
    data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
              429: "Too Many Requests", 500: "Internal Server Error",
              503: "Service Unavailable"}.get(status, "Status")
    writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json;charset=utf-8\r\n"
                 f"Content-Length: {len(data)}\r\n\r\n".encode() + data)


async def serve(mock, reader, writer):
    try:
        while True:
            req = await read_request(reader)
            if req is None:
                break
            method, path, headers, body = req
            if path == "/_stats":
                respond(writer, 200, mock.stats())
                await writer.drain()
                continue
            if path == "/_control":
                respond(writer, 200, mock.control(json.loads(body or b"{}")))
                await writer.drain()
                continue
            mock.requests[path] = mock.requests.get(path, 0) + 1
            if mock.latency:
                await asyncio.sleep(mock.latency)
            fault = mock.take_fault("token" if path.endswith("/oauth/token") else path)
            if fault and fault.get("delay"):
                await asyncio.sleep(fault["delay"])
            if fault and fault.get("drop"):
                break
            if fault and fault.get("status"):
                respond(writer, fault["status"], {"codeRetour": 99999, "libelle": "injected fault"}
                        if fault["status"] != 401 else {"error": "invalid_token"})
                await writer.drain()
                continue
            if fault and fault.get("malformed"):
                respond(writer, 200, None, raw=b'{"codeRetour": 0, "libelle": ')
                await writer.drain()
                continue
            if path.endswith("/oauth/token"):
                status, payload = mock.token(body.decode())
            elif path in Mock.ROUTES:
                if not mock.authorized(headers):
                    status, payload = 401, {"error": "invalid_token"}
                else:
                    try:
                        payload = Mock.ROUTES[path](mock, json.loads(body or b"{}"))
                        status = 200
                    except (ValueError, KeyError, TypeError) as e:
                        status, payload = 400, {"codeRetour": 20010, "libelle": f"requête invalide: {e}"}
                if fault and fault.get("drop_after_record"):
                    break
            else:
                status, payload = 404, {"error": "not found"}
            respond(writer, status, payload)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=3600)
    ap.add_argument("--control", help="a /_control body applied at start")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    args = ap.parse_args()
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*args.tls)
    mock = Mock()
    if args.control:
        mock.control(json.loads(args.control))
    server = await asyncio.start_server(lambda r, w: serve(mock, r, w), "127.0.0.1", 0,
                                        limit=64 * 1024 * 1024, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.rename(args.port_file + ".tmp", args.port_file)
    async with server:
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
